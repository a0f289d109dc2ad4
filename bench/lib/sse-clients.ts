// SSE clients on raw TCP sockets (a separate process, pinned to the client CPU), counting frames by a marker:
//   prompt:    one POST (e.g. /sessions/{id}/stream) read until an end marker; rate from first to last counted frame.
//   subscribe: `n` GETs (e.g. /sessions/{id}/events), each read until its end marker; prints {"ready":n} once every
//              connection has its response headers, then the result. Rate = all frames / (first to last frame).
// usage: node sse-clients.js '<json SseSpec>'  → JSON lines on stdout (import only its types elsewhere)
import { connect } from 'node:net';
import { requestBytes, type RequestSpec } from './http-client.js';
import { MarkerCounter } from './marker-counter.js';

export interface SseSpec extends RequestSpec {
  url: string;
  mode: 'prompt' | 'subscribe';
  /** connections (subscribe) */
  n?: number;
  /** counted once per frame */
  countMarker: string;
  /** ends a connection's stream */
  endMarkers: string[];
  timeoutMs?: number;
}

export interface SseResult {
  connections: number;
  /** connections that saw an end marker */
  complete: number;
  delivered: number;
  bytes: number;
  /** first counted frame to last counted frame, s */
  seconds: number;
  per_s: number;
  /** request sent to last end marker, ms (prompt mode: the whole turn as the client saw it) */
  total_ms: number;
  errors: number;
  cpu_s: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as SseSpec;
  const u = new URL(spec.url);
  const host = u.hostname;
  const port = Number(u.port);
  const n = spec.mode === 'prompt' ? 1 : (spec.n ?? 1);
  const req = requestBytes(u.host, spec); // host:port, as the gateway checks it
  let delivered = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  let complete = 0;
  let closed = 0;
  let ready = 0;
  let errors = 0;
  let t0 = 0;
  let tEnd = 0;
  const marker = Buffer.from(spec.countMarker);
  const ends = spec.endMarkers.map((m) => Buffer.from(m));

  const finished = new Promise<void>((resolve) => {
    const settle = () => {
      if (++closed === n) resolve();
    };
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const counter = new MarkerCounter(marker);
      const endCounters = ends.map((m) => new MarkerCounter(m));
      let headers = false;
      let done = false;
      const s = connect(port, host, () => s.write(req));
      s.setNoDelay(true);
      s.on('data', (b: Buffer) => {
        if (done) return;
        if (!headers) {
          headers = true;
          if (b.toString('latin1', 9, 12) !== '200') {
            errors++;
            process.stderr.write(`sse-clients: ${b.toString('utf8', 0, Math.min(b.length, 500))}\n`);
          }
          if (spec.mode === 'subscribe' && ++ready === n) process.stdout.write(JSON.stringify({ ready: n }) + '\n');
        }
        bytes += b.length;
        const c = counter.count(b);
        if (c > 0) {
          const now = performance.now();
          if (first === 0) first = now;
          last = now;
          delivered += c;
        }
        let ended = false;
        for (const e of endCounters) if (e.count(b) > 0) ended = true;
        if (ended) {
          done = true;
          complete++;
          tEnd = performance.now();
          s.destroy();
        }
      });
      s.on('error', (e) => {
        errors++;
        process.stderr.write(`sse-clients: ${e.message}\n`);
      });
      s.on('close', settle);
    }
  });
  const timeout = setTimeout(() => {
    process.stderr.write(`sse-clients: timed out with ${complete}/${n} complete, ${delivered} frames\n`);
    process.exit(3);
  }, spec.timeoutMs ?? 600_000);
  await finished;
  clearTimeout(timeout);
  const seconds = (last - first) / 1000;
  const cpu = process.cpuUsage();
  const result: SseResult = {
    connections: n,
    complete,
    delivered,
    bytes,
    seconds,
    per_s: seconds > 0 ? delivered / seconds : NaN,
    total_ms: tEnd - t0,
    errors,
    cpu_s: (cpu.user + cpu.system) / 1e6,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`sse-clients: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
