// The Node HTTP load generator (a separate process, pinned to the client CPU). Two modes:
//   latency:    one connection, `warmup` then `n` sequential requests; per-request latency percentiles (µs).
//   throughput: `connections` keep-alive connections for `seconds` (after `warmupSeconds`), requests/s.
// `make bench` uses Debian's wrk for throughput when it is installed (a C program: it does not take a whole core
// from the server the way this generator does); this is the fallback, and always the latency client.
// usage: node http-load.js '<json LoadSpec>'  → one JSON line on stdout (import only its types elsewhere)
import { KeepAliveConnection, requestBytes, type RequestSpec } from './http-client.js';
import { summarize } from './stats.js';

export interface LoadSpec extends RequestSpec {
  url: string;
  mode: 'latency' | 'throughput';
  n?: number;
  warmup?: number;
  connections?: number;
  seconds?: number;
  warmupSeconds?: number;
}

export interface LatencyResult {
  mode: 'latency';
  n: number;
  errors: number;
  non2xx: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  mean_us: number;
  max_us: number;
}

export interface ThroughputResult {
  mode: 'throughput';
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  errors: number;
  non2xx: number;
  p50_us: number;
  p99_us: number;
}

async function latency(spec: LoadSpec, host: string, port: number): Promise<LatencyResult> {
  const n = spec.n ?? 1000;
  const warmup = spec.warmup ?? 0;
  const lat: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let t0 = 0;
  let i = 0;
  await new Promise<void>((resolve, reject) => {
    const conn = new KeepAliveConnection(
      host,
      port,
      requestBytes(`${host}:${port}`, spec),
      (status) => {
        const us = (performance.now() - t0) * 1000;
        if (status < 200 || status > 299) non2xx++;
        if (i >= warmup) lat.push(us);
        i++;
        if (i >= warmup + n) {
          conn.close();
          resolve();
          return;
        }
        t0 = performance.now();
        conn.send();
      },
      (e) => {
        errors++;
        reject(e);
      },
    );
    conn.ready.then(() => {
      t0 = performance.now();
      conn.send();
    }, reject);
  });
  const s = summarize(lat);
  return { mode: 'latency', n: s.n, errors, non2xx, p50_us: s.p50, p90_us: s.p90, p99_us: s.p99, mean_us: s.mean, max_us: s.max };
}

async function throughput(spec: LoadSpec, host: string, port: number): Promise<ThroughputResult> {
  const c = spec.connections ?? 50;
  const warmupMs = (spec.warmupSeconds ?? 0) * 1000;
  const runMs = (spec.seconds ?? 10) * 1000;
  const req = requestBytes(`${host}:${port}`, spec);
  let measuring = false;
  let stopped = false;
  let requests = 0;
  let errors = 0;
  let non2xx = 0;
  const sample: number[] = [];
  const conns: KeepAliveConnection[] = [];
  const started: number[] = new Array(c).fill(0);
  for (let k = 0; k < c; k++) {
    const conn: KeepAliveConnection = new KeepAliveConnection(
      host,
      port,
      req,
      (status) => {
        if (measuring) {
          requests++;
          if (status < 200 || status > 299) non2xx++;
          if ((requests & 15) === 0) sample.push((performance.now() - started[k]!) * 1000);
        }
        if (stopped) return;
        started[k] = performance.now();
        conn.send();
      },
      () => {
        errors++;
      },
    );
    conns.push(conn);
  }
  await Promise.all(conns.map((x) => x.ready));
  for (let k = 0; k < c; k++) {
    started[k] = performance.now();
    conns[k]!.send();
  }
  await new Promise((r) => setTimeout(r, warmupMs));
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, runMs));
  measuring = false;
  stopped = true;
  const seconds = (performance.now() - t0) / 1000;
  for (const x of conns) x.close();
  const s = summarize(sample);
  return { mode: 'throughput', connections: c, seconds, requests, rps: requests / seconds, errors, non2xx, p50_us: s.p50, p99_us: s.p99 };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const u = new URL(spec.url);
  const host = u.hostname;
  const port = Number(u.port);
  const result = spec.mode === 'latency' ? await latency(spec, host, port) : await throughput(spec, host, port);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`http-load: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
