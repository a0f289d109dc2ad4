// The last resort of `aintegrix serve`: an exception nothing caught, or a rejection nobody handled, is logged and the
// gateway shuts down as on SIGTERM (the running turn cancelled and recorded, the agent stopped), exiting non-zero so
// a supervisor restarts it. The failures are injected by a module preloaded into the server process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoAgent, demoServerConfig, callServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { eventually } from '../helpers/poll.js';

const TOKEN = 'last-resort-token-0123456789';
const H = { authorization: `Bearer ${TOKEN}` };
const PRELOAD = fileURLToPath(new URL('./fixtures/fail-on-signal.js', import.meta.url));

function writeConfig(dir: string): string {
  return demoServerConfig(dir, { token: TOKEN, server: { shutdown_timeout_secs: 10 }, agents: { demo: demoAgent(dir) } });
}

const api = (s: ServerProcess, method: string, path: string, body?: unknown) => callServer(s, TOKEN, method, path, body);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const [signal, kind] of [
  ['SIGUSR2', 'uncaughtException'],
  ['SIGHUP', 'unhandledRejection'],
] as const) {
  test(`${kind} during a turn: logged, the turn cancelled and recorded, the agent stopped, exit 1`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'aix-last-'));
    const config = writeConfig(dir);
    let server: ServerProcess | undefined;
    t.after(() => {
      server?.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    server = await startServerProcess(['--config', config], { NODE_OPTIONS: `--import=${PRELOAD}` });
    const id = (await api(server, 'POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
    const agentPid: number = (await api(server, 'GET', `/api/v1/sessions/${id}/events?type=AgentAttached`)).body.events[0].data.pid;
    const turn = fetch(`${server.url}/api/v1/sessions/${id}/prompt`, { method: 'POST', headers: H, body: JSON.stringify({ messages: [{ type: 'text', text: '/slow 60' }] }) }).then((r) => r.json());
    await eventually(async () => (await api(server!, 'GET', `/api/v1/sessions/${id}`)).body.status === 'prompting', 5000, 'prompting');

    server.child.kill(signal);
    assert.equal(await server.exited, 1, 'a failure exits non-zero');
    const fatal = server.stderr().split('\n').find((l) => l.includes('"fatal: shutting down"'));
    assert.ok(fatal, server.stderr());
    assert.equal(JSON.parse(fatal).kind, kind);
    assert.match(fatal, /injected/);
    const answer = (await turn) as { stop_reason: string; outcome: string };
    assert.deepEqual([answer.stop_reason, answer.outcome], ['cancelled', 'cancelled'], 'the client got its turn, cancelled');
    assert.equal(alive(agentPid), false, 'the agent was stopped');

    server = await startServerProcess(['--config', config], {});
    const events = (await api(server, 'GET', `/api/v1/sessions/${id}/events?limit=1000`)).body.events as { type: string; data: Record<string, unknown> }[];
    assert.equal(events.find((e) => e.type === 'TurnCancelRequested')?.data.reason, 'shutdown');
    assert.equal(events.find((e) => e.type === 'TurnEnded')?.data.outcome, 'cancelled');
    assert.ok(!events.some((e) => e.type === 'SessionRecovered'), 'shut down cleanly: nothing to recover');
    assert.equal(await server.stop('SIGTERM'), 0);
  });
}
