// Driving load from the bench: sequential latency (always the Node client, so the gateway and the floor are
// measured by the same code) and throughput at N connections (wrk when installed, else the Node generator).
import type { LatencyResult, LoadSpec, ThroughputResult } from './http-load.js';
import { benchScript } from './paths.js';
import { CLIENT_CPU, Child, runJson, type Tools } from './proc.js';
import type { RequestSpec } from './http-client.js';

export type { LatencyResult, ThroughputResult };

export async function measureLatency(tools: Tools, url: string, req: RequestSpec, n: number, warmup: number): Promise<LatencyResult> {
  const spec: LoadSpec = { ...req, url, mode: 'latency', n, warmup };
  const r = await runJson<LatencyResult>(tools, process.execPath, [benchScript('lib/http-load.js'), JSON.stringify(spec)], { cpu: CLIENT_CPU });
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`latency run against ${url}${req.path}: ${r.errors} errors, ${r.non2xx} non-2xx`);
  return r;
}

export interface RpsResult {
  rps: number;
  p50_us: number;
  p99_us: number;
  non2xx: number;
  errors: number;
  generator: 'wrk' | 'node';
}

export interface RpsSpec {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

/** Requests/s of GET `url` at `connections` connections. */
export async function measureRps(tools: Tools, s: RpsSpec): Promise<RpsResult> {
  if (tools.wrk) return wrk(tools, tools.wrk, s);
  const u = new URL(s.url);
  const spec: LoadSpec = {
    url: s.url,
    mode: 'throughput',
    method: 'GET',
    path: u.pathname + u.search,
    headers: s.headers,
    connections: s.connections,
    seconds: s.seconds,
    warmupSeconds: s.warmupSeconds,
  };
  const r = await runJson<ThroughputResult>(tools, process.execPath, [benchScript('lib/http-load.js'), JSON.stringify(spec)], { cpu: CLIENT_CPU });
  return { rps: r.rps, p50_us: r.p50_us, p99_us: r.p99_us, non2xx: r.non2xx, errors: r.errors, generator: 'node' };
}

async function wrk(tools: Tools, bin: string, s: RpsSpec): Promise<RpsResult> {
  const headerArgs = Object.entries(s.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const args = (seconds: number) => ['-t1', `-c${s.connections}`, `-d${seconds}s`, '--latency', ...headerArgs, s.url];
  if (s.warmupSeconds > 0) await runText(tools, bin, args(s.warmupSeconds));
  const out = await runText(tools, bin, args(s.seconds));
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk output:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { rps, p50_us: wrkLatency(out, '50%'), p99_us: wrkLatency(out, '99%'), non2xx, errors, generator: 'wrk' };
}

function wrkLatency(out: string, label: string): number {
  const m = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v : m[2] === 'ms' ? v * 1000 : v * 1e6;
}

async function runText(tools: Tools, cmd: string, args: string[]): Promise<string> {
  const c = new Child(tools, cmd, args, { cpu: CLIENT_CPU });
  const { code } = await c.exited;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}): ${c.stderr}`);
  return c.stdout;
}
