// kill -9 of the real server during an orchestration: at the next boot what ran is recorded interrupted (saying
// which), what had ended keeps its result, nothing runs again by itself; POST /orchestrations/{id}/resume re-runs only
// what was interrupted (a candidate, in a new session; a jury whose candidates all ended asks its judge).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoAgent, demoServerConfig, callServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { eventually } from '../helpers/poll.js';

const TOKEN = 'orch-restart-token-0123456789';

/** The config, with each agent's prompt_prefix (a restart may change them: the agent answers differently then). */
function writeConfig(dir: string, prefixes: Record<string, string>): string {
  const agents = Object.fromEntries(Object.entries(prefixes).map(([name, prefix]) => [name, demoAgent(dir, { prompt_prefix: prefix }, `store-${name}`)]));
  return demoServerConfig(dir, { token: TOKEN, agents });
}

const api = (s: ServerProcess, method: string, path: string, body?: unknown) => callServer(s, TOKEN, method, path, body);

async function events(s: ServerProcess, id: string): Promise<any[]> {
  return (await api(s, 'GET', `/api/v1/orchestrations/${id}/events?limit=1000`)).body.events;
}

/** Has session `id` submitted a prompt (its turn is running)? */
async function prompting(s: ServerProcess, id: string | null): Promise<boolean> {
  if (!id) return false;
  const r = await api(s, 'GET', `/api/v1/sessions/${id}/events?type=PromptSubmitted`);
  return r.body.events.length > 0;
}

test('kill -9 during a candidate: interrupted at boot, resume re-runs only that candidate in a new session', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-orch-restart-'));
  let server: ServerProcess | undefined;
  t.after(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const config = writeConfig(dir, { alpha: 'alpha says', sleeper: '/slow 30' });
  server = await startServerProcess(['--config', config], {});
  const pending = api(server, 'POST', '/api/v1/orchestrate', { agents: ['alpha', 'sleeper'], strategy: 'parallel', messages: [{ role: 'user', content: 'go' }] }).catch(() => undefined);
  const s1 = server;
  const running = await eventually(async () => {
    const [o] = (await api(s1, 'GET', '/api/v1/orchestrations')).body;
    if (!o) return undefined;
    const got = (await api(s1, 'GET', `/api/v1/orchestrations/${o.id}`)).body;
    const [alpha, sleeper] = got.results;
    return alpha.status === 'completed' && (await prompting(s1, sleeper.session_id)) ? got : undefined;
  }, 20_000, 'alpha done and the sleeper prompting');
  server.child.kill('SIGKILL');
  await server.exited;
  await pending;

  writeConfig(dir, { alpha: 'alpha says', sleeper: 'sleeper says' }); // this time the sleeper answers at once
  server = await startServerProcess(['--config', config], {});
  const after = (await api(server, 'GET', `/api/v1/orchestrations/${running.id}`)).body;
  assert.equal(after.status, 'interrupted');
  assert.match(after.reason, new RegExp(`candidates ${running.results[1].label} ran`));
  assert.deepEqual(after.results.map((r: any) => r.status), ['completed', 'interrupted']);
  assert.deepEqual(after.results[0], running.results[0], 'what had ended keeps its result');
  // nothing ran again by itself
  const before = await events(server, running.id);
  assert.equal(before.at(-1).type, 'OrchestrationEnded');

  const resumed = await api(server, 'POST', `/api/v1/orchestrations/${running.id}/resume`);
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
  assert.equal(resumed.body.status, 'completed');
  const [alpha, sleeper] = resumed.body.results;
  assert.deepEqual(alpha, running.results[0], 'alpha was not run again');
  assert.equal(sleeper.status, 'completed');
  assert.match(sleeper.text, /^echo: sleeper says\ngo/);
  assert.notEqual(sleeper.session_id, running.results[1].session_id, 'a new session');
  assert.deepEqual(sleeper.earlier_sessions, [running.results[1].session_id]);
  const all = await events(server, running.id);
  assert.deepEqual(
    all.filter((e) => e.type === 'CandidateEnded').map((e) => [e.data.label, e.data.status]),
    [[alpha.label, 'completed'], [sleeper.label, 'interrupted'], [sleeper.label, 'completed']],
  );
  assert.deepEqual(all.find((e) => e.type === 'OrchestrationResumed').data, { labels: [sleeper.label], judge: false });
  // the interrupted session was closed by the resume
  assert.equal((await api(server, 'GET', `/api/v1/sessions/${running.results[1].session_id}`)).body.status, 'closed');
  const again = await api(server, 'POST', `/api/v1/orchestrations/${running.id}/resume`);
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'not_interrupted');
});

test('kill -9 while the judge decides: resume asks the judge again and nothing else', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-orch-restart-'));
  let server: ServerProcess | undefined;
  t.after(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const config = writeConfig(dir, { alpha: 'alpha says', beta: 'beta says', judge: '/slow 30' });
  server = await startServerProcess(['--config', config], {});
  const body = { agents: ['alpha', 'beta'], strategy: 'jury', judge: 'judge', messages: [{ role: 'user', content: 'go' }] };
  const pending = api(server, 'POST', '/api/v1/orchestrate', body).catch(() => undefined);
  const s1 = server;
  const id = await eventually(async () => {
    const [o] = (await api(s1, 'GET', '/api/v1/orchestrations')).body;
    if (!o) return undefined;
    const judged = (await events(s1, o.id)).find((e) => e.type === 'JudgeRequested');
    return judged && (await prompting(s1, judged.data.session_id)) ? (o.id as string) : undefined;
  }, 20_000, 'the judge prompting');
  server.child.kill('SIGKILL');
  await server.exited;
  await pending;

  writeConfig(dir, { alpha: 'alpha says', beta: 'beta says', judge: '/verdict prefer=beta' });
  server = await startServerProcess(['--config', config], {});
  const after = (await api(server, 'GET', `/api/v1/orchestrations/${id}`)).body;
  assert.equal(after.status, 'interrupted');
  assert.match(after.reason, /judge/);
  assert.deepEqual(after.results.map((r: any) => r.status), ['completed', 'completed']);
  const resumed = await api(server, 'POST', `/api/v1/orchestrations/${id}/resume`);
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
  assert.equal(resumed.body.winner.agent, 'beta');
  assert.equal(resumed.body.verdict.fallback, false);
  const all = await events(server, id);
  assert.equal(all.filter((e) => e.type === 'CandidateEnded').length, 2, 'the candidates were not run again');
  assert.deepEqual(all.find((e) => e.type === 'OrchestrationResumed').data, { labels: [], judge: true });
});
