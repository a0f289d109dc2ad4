// The official ACP SDK client (`client()` + `ndJsonStream`) driving N bundled demo agents directly, without the
// gateway: the baseline of the concurrency figure and of the log-growth figure. Spawns the agents itself with the
// command the gateway's config uses (so on the same CPU as the gateway's agents), initialises each with the client
// capabilities the gateway announces, opens one session on each and runs one warm-up turn on each, then:
//   concurrent: every session prompts `prompt` in a loop, all at once, for `seconds`; turns/s of completed turns
//               (a turn in flight when the time is up is waited for and not counted);
//   traffic:    `turns` turns of `prompt` on the first session, one after the other; the bytes of the agent's own
//               protocol traffic in both directions (its stdin and stdout: newline-delimited JSON-RPC), per turn.
// usage: node sdk-agents.js '<json Spec>' → one JSON line
import { spawn, type ChildProcess } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { client, ndJsonStream } from '@agentclientprotocol/sdk';

interface Spec {
  cwd: string;
  /** how to start the agent (command and args), e.g. pinned with taskset */
  agentCommand: [string, string[]];
  mode: 'concurrent' | 'traffic';
  agents: number;
  prompt: string;
  seconds?: number;
  turns?: number;
}

interface Driven {
  child: ChildProcess;
  prompt(): Promise<unknown>;
  close(): void;
  /** bytes written to the agent's stdin and read from its stdout so far */
  bytes(): number;
}

async function drive(spec: Spec): Promise<Driven> {
  const child = spawn(spec.agentCommand[0], spec.agentCommand[1], { cwd: spec.cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  let bytes = 0;
  child.stdout!.on('data', (d: Buffer) => (bytes += d.length));
  const stdin = child.stdin!;
  const write = stdin.write.bind(stdin) as (chunk: Uint8Array | string, ...rest: unknown[]) => boolean;
  // count what the SDK writes to the agent (its stdin), byte for byte
  stdin.write = ((chunk: Uint8Array | string, ...rest: unknown[]) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return write(chunk, ...rest);
  }) as typeof stdin.write;
  const app = client({ name: 'bench-direct' });
  const conn = app.connect(ndJsonStream(Writable.toWeb(stdin) as WritableStream<Uint8Array>, Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>));
  const agent = conn.agent;
  await agent.request('initialize', {
    protocolVersion: 1,
    clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
    clientInfo: { name: 'bench-direct', version: '0.0.0' },
  });
  const { sessionId } = await agent.request('session/new', { cwd: spec.cwd, mcpServers: [] });
  const prompt = () => agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: spec.prompt }] });
  await prompt(); // warm-up
  return {
    child,
    prompt,
    bytes: () => bytes,
    close() {
      conn.close();
      stdin.end();
      child.kill('SIGTERM');
    },
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
  const t0 = performance.now();
  const agents = await Promise.all(Array.from({ length: spec.agents }, () => drive(spec)));
  const readyMs = performance.now() - t0;
  let result: Record<string, unknown>;
  if (spec.mode === 'concurrent') {
    const ms = (spec.seconds ?? 5) * 1000;
    let turns = 0;
    const start = performance.now();
    const end = start + ms;
    await Promise.all(
      agents.map(async (a) => {
        while (performance.now() < end) {
          await a.prompt();
          if (performance.now() <= end) turns++;
        }
      }),
    );
    result = { mode: 'concurrent', agents: spec.agents, turns, seconds: ms / 1000, per_s: turns / (ms / 1000), ready_ms: readyMs };
  } else {
    const a = agents[0]!;
    const n = spec.turns ?? 10;
    const before = a.bytes();
    for (let i = 0; i < n; i++) await a.prompt();
    // the last notification lines arrive before the response that ends the turn: nothing is left in flight
    const bytes = a.bytes() - before;
    result = { mode: 'traffic', turns: n, bytes, per_turn: bytes / n };
  }
  for (const a of agents) a.close();
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`sdk-agents: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
