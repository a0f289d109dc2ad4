// The official ACP SDK client (`client()` + `ndJsonStream`) driving the bundled demo agent directly, without the
// gateway: the floor of a prompt's latency and the baseline of chunk delivery. Spawns the agent itself, with the
// command the gateway's config uses (so on the same CPU as the gateway's agents), initialises it with the same
// client capabilities the gateway announces, opens one session, then:
//   latency: `warmup` + `n` sequential session/prompt of `prompt`, each timed from request to response (µs);
//   chunks:  one session/prompt of `prompt`; counts agent_message_chunk notifications (each validated by the
//            SDK) and times them from the first to the last.
// usage: node sdk-direct.js '<json Spec>' → one JSON line
import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { client, ndJsonStream } from '@agentclientprotocol/sdk';
import { summarize } from '../lib/stats.js';

interface Spec {
  cwd: string;
  /** how to start the agent (command and args), e.g. pinned with taskset */
  agentCommand: [string, string[]];
  mode: 'latency' | 'chunks';
  prompt: string;
  n?: number;
  warmup?: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
  const child = spawn(spec.agentCommand[0], spec.agentCommand[1], { cwd: spec.cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  let chunks = 0;
  let first = 0;
  let last = 0;
  const app = client({ name: 'bench-direct' }).onNotification('session/update', ({ params }) => {
    if (params.update.sessionUpdate !== 'agent_message_chunk') return;
    const now = performance.now();
    if (chunks === 0) first = now;
    last = now;
    chunks++;
  });
  const input = Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>;
  const output = Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>;
  const conn = app.connect(ndJsonStream(output, input));
  const agent = conn.agent;
  await agent.request('initialize', {
    protocolVersion: 1,
    clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
    clientInfo: { name: 'bench-direct', version: '0.0.0' },
  });
  const { sessionId } = await agent.request('session/new', { cwd: spec.cwd, mcpServers: [] });
  const prompt = () => agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: spec.prompt }] });

  let result: Record<string, unknown>;
  if (spec.mode === 'latency') {
    const lat: number[] = [];
    const warmup = spec.warmup ?? 0;
    const n = spec.n ?? 1000;
    for (let i = 0; i < warmup + n; i++) {
      const t0 = performance.now();
      await prompt();
      if (i >= warmup) lat.push((performance.now() - t0) * 1000);
    }
    const s = summarize(lat);
    result = { mode: 'latency', n: s.n, p50_us: s.p50, p90_us: s.p90, p99_us: s.p99, mean_us: s.mean, chunks };
  } else {
    const t0 = performance.now();
    const r = await prompt();
    const seconds = (last - first) / 1000;
    result = { mode: 'chunks', chunks, seconds, per_s: chunks / seconds, total_ms: performance.now() - t0, stop_reason: r.stopReason };
  }
  conn.close();
  child.stdin!.end();
  child.kill('SIGTERM');
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`sdk-direct: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
