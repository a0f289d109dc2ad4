// An informative lower bound on reading a turn directly: the demo agent driven with hand-written JSON-RPC lines,
// its stdout split into lines and the agent_message_chunk lines counted — no SDK, no validation, no parsing of
// the chunks. Timed from the first chunk line to the last.
// usage: node raw-direct.js '{"agent": "...", "cwd": "...", "prompt": "/chunks 100000 16"}' → one JSON line
import { spawn } from 'node:child_process';

interface Spec {
  cwd: string;
  /** how to start the agent (command and args), e.g. pinned with taskset */
  agentCommand: [string, string[]];
  prompt: string;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const child = spawn(spec.agentCommand[0], spec.agentCommand[1], { cwd: spec.cwd, stdio: ['pipe', 'pipe', 'ignore'] });
const send = (id: number, method: string, params: unknown) => child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');

let pending = '';
let chunks = 0;
let first = 0;
let last = 0;
let t0 = 0;
const timeout = setTimeout(() => {
  process.stderr.write(`raw-direct: timed out after ${chunks} chunks\n`);
  process.exit(3);
}, 600_000);

child.stdout!.setEncoding('utf8');
child.stdout!.on('data', (d: string) => {
  const text = pending + d;
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    const line = text.slice(start, nl);
    start = nl + 1;
    if (line.includes('"agent_message_chunk"')) {
      const now = performance.now();
      if (chunks === 0) first = now;
      last = now;
      chunks++;
    } else if (line.includes('"result"')) onResult(line);
  }
  pending = text.slice(start);
});

function onResult(line: string): void {
  const msg = JSON.parse(line) as { id: number; result: { sessionId?: string } };
  if (msg.id === 1) send(2, 'session/new', { cwd: spec.cwd, mcpServers: [] });
  else if (msg.id === 2) {
    t0 = performance.now();
    send(3, 'session/prompt', { sessionId: msg.result.sessionId, prompt: [{ type: 'text', text: spec.prompt }] });
  } else if (msg.id === 3) {
    clearTimeout(timeout);
    const seconds = (last - first) / 1000;
    process.stdout.write(JSON.stringify({ mode: 'raw', chunks, seconds, per_s: chunks / seconds, total_ms: performance.now() - t0 }) + '\n');
    child.stdin!.end();
    child.kill('SIGTERM');
    process.exit(0);
  }
}

send(1, 'initialize', {
  protocolVersion: 1,
  clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
  clientInfo: { name: 'bench-raw', version: '0.0.0' },
});
