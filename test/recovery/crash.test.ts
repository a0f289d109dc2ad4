// Crash safety and recovery with the real server process: kill -9 during streamed turns (10 rounds at random
// moments, the bundled agent in each capability mode), a pending approval across a crash, an agent process that
// outlives the gateway, and SIGTERM during a turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoServerConfig, callServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { DEMO_AGENT_ENTRY } from '../helpers/paths.js';
import { readSse } from '../helpers/sse.js';
import { eventually } from '../helpers/poll.js';

const TOKEN = 'crash-test-token-0123456789';
const H = { authorization: `Bearer ${TOKEN}` };

function writeConfig(dir: string, extra: Record<string, unknown> = {}, agentEnv: Record<string, string> = {}): string {
  const agent = (mode: string) => ({
    command: process.execPath,
    args: [DEMO_AGENT_ENTRY, '--mode', mode],
    auto_restart: true,
    env: { DEMO_AGENT_STORE: join(dir, `agent-store-${mode}`), ...agentEnv },
  });
  return demoServerConfig(dir, { token: TOKEN, server: { shutdown_timeout_secs: 10 }, agents: { resume: agent('resume'), load: agent('load'), none: agent('none') }, extra });
}

const api = (s: ServerProcess, method: string, path: string, body?: unknown) => callServer(s, TOKEN, method, path, body);

async function allEventPositions(s: ServerProcess, id: string): Promise<Set<number>> {
  const out = new Set<number>();
  let after = 0;
  for (;;) {
    const page = await api(s, 'GET', `/api/v1/sessions/${id}/events?after=${after}&limit=1000`);
    if (page.body.events.length === 0) return out;
    for (const e of page.body.events) out.add(e.position);
    after = page.body.next_after;
  }
}

const say = (text: string) => ({ messages: [{ type: 'text', text }] });

test('kill -9 during streamed turns, 10 rounds: nothing a client saw is lost, the turn is interrupted, the conversation goes on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-crash-'));
  const config = writeConfig(dir);
  let server: ServerProcess | undefined;
  t.after(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  server = await startServerProcess(['--config', config], {});
  const ids: Record<string, string> = {};
  for (const mode of ['resume', 'load', 'none']) {
    const created = await api(server, 'POST', '/api/v1/sessions', { agent: mode });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    ids[mode] = created.body.id;
    assert.equal((await api(server, 'POST', `/api/v1/sessions/${ids[mode]}/prompt`, say(`remember ${mode}-alpha`))).status, 200);
  }
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const interrupted: Record<string, number> = { resume: 0, load: 0, none: 0 };
  for (let round = 0; round < 10; round++) {
    const mode = ['resume', 'load', 'none'][round % 3]!;
    const id = ids[mode]!;
    const received: number[] = [];
    let sawEnd = false;
    const stream = readSse(
      `${server.url}/api/v1/sessions/${id}/stream`,
      { method: 'POST', headers: H, body: JSON.stringify(say(round % 2 ? '/slow 3' : '/chunks 20000 16')) },
      () => false,
      (f) => {
        if (f.id !== undefined) received.push(f.id);
        if (f.event === 'turn_complete' || f.event === 'error') sawEnd = true;
      },
    ).catch(() => undefined);
    await eventually(() => received.length > 0, 10_000, 'first streamed event');
    await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
    server.child.kill('SIGKILL');
    await server.exited;
    await stream;
    server = await startServerProcess(['--config', config], {});

    const logged = await allEventPositions(server, id);
    const lost = received.filter((p) => !logged.has(p));
    assert.deepEqual(lost, [], `round ${round}: every event a client received is in the log`);
    const s = (await api(server, 'GET', `/api/v1/sessions/${id}`)).body;
    assert.equal(s.status, 'idle', `round ${round}`);
    if (!sawEnd) {
      assert.equal(s.last_turn.outcome, 'interrupted', `round ${round}: the running turn is recorded as interrupted`);
      interrupted[mode]!++;
    }
    const listed = (await api(server, 'GET', '/api/v1/sessions')).body.map((x: { id: string }) => x.id);
    assert.ok(listed.includes(id));
    const history = await api(server, 'POST', `/api/v1/sessions/${id}/prompt`, say('/history'));
    assert.equal(history.status, 200, `round ${round} (${mode}): ${JSON.stringify(history.body)}`);
    assert.match(history.body.text, new RegExp(`remember ${mode}-alpha`), `round ${round} (${mode}): the agent still has the conversation`);
    const attach = (await api(server, 'GET', `/api/v1/sessions/${id}`)).body.attach;
    assert.equal(attach.path, { resume: 'resume', load: 'load', none: 'new_with_transcript' }[mode], `round ${round}: attach path of a ${mode} agent`);
  }
  assert.ok(Object.values(interrupted).reduce((a, b) => a + b) >= 5, `most rounds killed a running turn: ${JSON.stringify(interrupted)}`);
  const verify = await api(server, 'GET', '/api/v1/audit/verify');
  assert.equal(verify.body.ok, true, 'the hash chain is intact after 10 crashes');
  assert.equal(await server.stop('SIGTERM'), 0);
});

test('a pending approval at a crash becomes expired; an agent that outlives the gateway is found and stopped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-crash2-'));
  const config = writeConfig(dir, { permissions: { default: 'ask' } }, { DEMO_AGENT_LINGER: '1' });
  let server: ServerProcess | undefined;
  t.after(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  server = await startServerProcess(['--config', config], {});
  const id = (await api(server, 'POST', '/api/v1/sessions', { agent: 'resume' })).body.id;
  const pending = fetch(`${server.url}/api/v1/sessions/${id}/prompt`, { method: 'POST', headers: H, body: JSON.stringify(say('/permission execute rm -rf /')) }).catch(() => undefined);
  const approval = await eventually(async () => (await api(server!, 'GET', '/api/v1/approvals')).body[0], 5000, 'approval');
  const agentPid: number = (await api(server, 'GET', `/api/v1/sessions/${id}/events?type=AgentAttached`)).body.events[0].data.pid;
  server.child.kill('SIGKILL');
  await server.exited;
  await pending;
  assert.doesNotThrow(() => process.kill(agentPid, 0), 'the lingering agent outlived the gateway');

  server = await startServerProcess(['--config', config], {});
  await eventually(() => {
    try {
      process.kill(agentPid, 0);
      return false;
    } catch {
      return true;
    }
  }, 5000, 'the stray agent to be stopped');
  assert.match(server.stderr(), /"stray_processes_stopped":1/);
  assert.deepEqual((await api(server, 'GET', '/api/v1/approvals')).body, []);
  const decided = (await api(server, 'GET', `/api/v1/sessions/${id}/events?type=PermissionDecided`)).body.events;
  assert.deepEqual([decided[0].data.approval_id, decided[0].data.decision, decided[0].data.decided_by], [approval.approval_id, 'expired', 'recovery']);
  const late = await api(server, 'POST', `/api/v1/approvals/${approval.approval_id}`, { decision: 'allow_once' });
  assert.equal(late.status, 409, 'an expired approval cannot be decided');
  const s = (await api(server, 'GET', `/api/v1/sessions/${id}`)).body;
  assert.deepEqual([s.status, s.last_turn.outcome, s.recoveries], ['idle', 'interrupted', 1]);
  assert.deepEqual(s.last_turn.tool_calls_outcome_unknown.length, 1, 'the tool call that asked has no outcome');
  assert.equal(await server.stop('SIGTERM'), 0);
});

test('SIGTERM during a turn: the turn is cancelled and recorded, the server exits 0 in time, the session resumes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-term-'));
  const config = writeConfig(dir);
  let server: ServerProcess | undefined;
  t.after(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  server = await startServerProcess(['--config', config], {});
  const id = (await api(server, 'POST', '/api/v1/sessions', { agent: 'resume' })).body.id;
  const turn = fetch(`${server.url}/api/v1/sessions/${id}/prompt`, { method: 'POST', headers: H, body: JSON.stringify(say('/slow 60')) }).then((r) => r.json());
  await eventually(async () => (await api(server!, 'GET', `/api/v1/sessions/${id}`)).body.status === 'prompting', 5000, 'prompting');
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  server.child.kill('SIGTERM');
  const code = await server.exited;
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 10_000, 'within shutdown_timeout_secs');
  const answer = (await turn) as { stop_reason: string; outcome: string };
  assert.deepEqual([answer.stop_reason, answer.outcome], ['cancelled', 'cancelled'], 'the client got the cancelled turn before the exit');

  server = await startServerProcess(['--config', config], {});
  const events = (await api(server, 'GET', `/api/v1/sessions/${id}/events?limit=1000`)).body.events as { type: string; data: Record<string, unknown> }[];
  const cancel = events.find((e) => e.type === 'TurnCancelRequested')!;
  assert.equal(cancel.data.reason, 'shutdown');
  assert.equal(events.find((e) => e.type === 'TurnEnded')!.data.outcome, 'cancelled');
  assert.ok(events.some((e) => e.type === 'AcpMessage' && (e.data.msg as { method?: string }).method === 'session/cancel'));
  assert.ok(!events.some((e) => e.type === 'SessionRecovered'), 'a clean shutdown leaves nothing to recover');
  const next = await api(server, 'POST', `/api/v1/sessions/${id}/prompt`, say('/history'));
  assert.match(next.body.text, /1\. \/slow 60/);
  assert.equal((await api(server, 'GET', `/api/v1/sessions/${id}`)).body.attach.path, 'resume');
  assert.equal(await server.stop('SIGTERM'), 0);
});
