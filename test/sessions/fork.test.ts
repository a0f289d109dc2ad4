// POST /api/v1/sessions/{id}/fork and acp_fork_session against real gateways and bundled agents: a native fork
// (ACP session/fork: the agent's own history goes along), transcript forks (another agent, an agent without fork,
// an earlier position: the priming text holds the source's conversation up to there and nothing after), the link in
// both logs, the refusals (busy source, bad positions, unknown agent, capacity), and a forked session after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { callTool } from '../mcp/helpers.js';
import { eventually } from '../helpers/poll.js';

async function session(g: TestGateway, agent = 'demo'): Promise<string> {
  const r = await g.api('POST', '/api/v1/sessions', { agent });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

async function prompt(g: TestGateway, id: string, text: string): Promise<{ text: string; position: number }> {
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says(text));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

function events(g: TestGateway, id: string) {
  return g.gw.store.readStream(`session:${id}`);
}

/** The text that primed the fork's new ACP session (the first session/prompt it sent), or undefined. */
function primingText(g: TestGateway, id: string): string | undefined {
  for (const e of events(g, id)) {
    const msg = (e.data as { dir?: string; msg?: { method?: string; params?: { prompt?: { text?: string }[] } } }).msg;
    if (e.type === 'AcpMessage' && msg?.method === 'session/prompt') return msg.params?.prompt?.[0]?.text;
  }
  return undefined;
}

test('native fork: same agent with session/fork keeps the history; both logs hold the link; the fork lives on its own', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const src = await session(g);
  await prompt(g, src, 'first thing');
  await prompt(g, src, 'second thing');
  const head = events(g, src).at(-1)!.position;

  const r = await g.api('POST', `/api/v1/sessions/${src}/fork`, {});
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body).sort(), ['agent', 'forked_from', 'id', 'method', 'status']);
  assert.equal(r.body.agent, 'demo');
  assert.equal(r.body.method, 'native');
  assert.equal(r.body.status, 'idle');
  assert.deepEqual(r.body.forked_from, { session_id: src, position: head });
  const fork = r.body.id as string;
  assert.notEqual(fork, src);

  // the agent forked its own session: the fork's /history has the source's prompts, then its own
  assert.match((await prompt(g, fork, '/history')).text, /1\. first thing\n2\. second thing\n3\. \/history/);
  assert.equal(primingText(g, fork), '/history', 'no transcript was sent');
  // the source goes on without the fork's turn
  assert.match((await prompt(g, src, '/history')).text, /1\. first thing\n2\. second thing\n3\. \/history$/);

  // the link, in both logs
  const created = events(g, fork)[0]!;
  assert.equal(created.type, 'SessionCreated');
  assert.equal((created.data as { origin: string }).origin, 'fork');
  assert.deepEqual({ ...(created.data as { forked_from: object }).forked_from, acp_session_id: undefined }, {
    session_id: src,
    position: head,
    method: 'native',
    acp_session_id: undefined,
  });
  const linked = events(g, src).find((e) => e.type === 'SessionForked')!;
  assert.deepEqual(linked.data, { session_id: fork, agent: 'demo', position: head, method: 'native' });
  assert.equal(linked.meta.principal, 'tester');
  const attached = events(g, fork).find((e) => e.type === 'AgentAttached')!;
  assert.equal((attached.data as { path: string }).path, 'fork');

  // an ordinary session: listed with its origin, readable, closable on its own
  const listed = ((await g.api('GET', '/api/v1/sessions')).body as { id: string; origin: string; forked_from: unknown }[]).find((s) => s.id === fork)!;
  assert.deepEqual([listed.origin, listed.forked_from], ['fork', { session_id: src, position: head }]);
  const detail = (await g.api('GET', `/api/v1/sessions/${fork}`)).body;
  assert.deepEqual([detail.attach.path, detail.workspace_root], ['fork', (await g.api('GET', `/api/v1/sessions/${src}`)).body.workspace_root]);
  const page = (await g.api('GET', `/api/v1/sessions/${fork}/events?limit=500`)).body;
  assert.ok(page.events.some((e: { type: string }) => e.type === 'TurnEnded'), 'its events are served like any session');
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${fork}`)).status, 204);
  assert.equal((await g.api('GET', `/api/v1/sessions/${src}`)).body.status, 'idle');
});

test('transcript forks: to another agent, to an agent without fork, and at an earlier position', async (t) => {
  const g = await startTestGateway({ agents: { demo: {}, other: {}, nofork: { flags: ['--no-fork'] } } });
  t.after(() => g.dispose());
  const src = await session(g);
  const one = await prompt(g, src, 'alpha question');
  await prompt(g, src, 'beta question');

  // another agent: a new ACP session primed with the whole conversation
  const other = await g.api('POST', `/api/v1/sessions/${src}/fork`, { target_agent: 'other' });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  assert.deepEqual([other.body.agent, other.body.method, other.body.status], ['other', 'transcript', 'idle']);
  const text = primingText(g, other.body.id)!;
  assert.match(text, /fork of an earlier conversation/);
  assert.match(text, /User: alpha question\n\nAssistant: echo: alpha question\n\nUser: beta question\n\nAssistant: echo: beta question$/);
  const attached = events(g, other.body.id).find((e) => e.type === 'AgentAttached')!.data as { path: string; transcript: { entries: number; ok: boolean } };
  assert.deepEqual([attached.path, attached.transcript.entries, attached.transcript.ok], ['new_with_transcript', 4, true]);
  // the agent holds it: its own history starts with the transcript; the answer to priming is no client turn
  assert.match((await prompt(g, other.body.id, '/history')).text, /^1\. \[aintegrix\] This session is a fork.*beta question.*\n2\. \/history$/s);
  assert.equal((await g.api('GET', `/api/v1/sessions/${other.body.id}`)).body.turns, 1);

  // the same agent without the fork capability
  const noforkSrc = await session(g, 'nofork');
  await prompt(g, noforkSrc, 'gamma question');
  const nf = await g.api('POST', `/api/v1/sessions/${noforkSrc}/fork`, {});
  assert.deepEqual([nf.status, nf.body.agent, nf.body.method], [201, 'nofork', 'transcript']);
  assert.match(primingText(g, nf.body.id)!, /User: gamma question\n\nAssistant: echo: gamma question$/);

  // at an earlier position (the first turn's end): the transcript stops there, even on the same agent
  const early = await g.api('POST', `/api/v1/sessions/${src}/fork`, { at: one.position });
  assert.equal(early.status, 201, JSON.stringify(early.body));
  assert.deepEqual([early.body.method, early.body.forked_from], ['transcript', { session_id: src, position: one.position }]);
  const earlyText = primingText(g, early.body.id)!;
  assert.match(earlyText, /User: alpha question\n\nAssistant: echo: alpha question$/);
  assert.doesNotMatch(earlyText, /beta/);
  const history = (await prompt(g, early.body.id, '/history')).text;
  assert.match(history, /alpha question/);
  assert.doesNotMatch(history, /beta/);

  // every fork is on the source's log
  const links = events(g, src).filter((e) => e.type === 'SessionForked').map((e) => e.data as { session_id: string; method: string });
  assert.deepEqual(links.map((l) => [l.session_id, l.method]), [[other.body.id, 'transcript'], [early.body.id, 'transcript']]);
});

test('refusals: busy source 409, positions that are not the source\'s 400, unknown agent 404, capacity 429, bad body 400', async (t) => {
  const g = await startTestGateway({ agents: { demo: { max_sessions: 3 }, other: {} } });
  t.after(() => g.dispose());
  const src = await session(g);
  const first = await prompt(g, src, 'hello');
  const otherSession = await session(g, 'other');

  // a position of another session, one after the head, zero, a string: 400 naming the problem
  const foreign = events(g, otherSession).at(-1)!.position;
  const head = events(g, src).at(-1)!.position;
  for (const [at, code] of [[foreign, 'invalid_position'], [head + 1000, 'invalid_position'], [0, 'invalid_request'], ['1', 'invalid_request']] as const) {
    const r = await g.api('POST', `/api/v1/sessions/${src}/fork`, { at });
    assert.equal(r.status, 400, `at ${at}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code);
  }
  assert.match((await g.api('POST', `/api/v1/sessions/${src}/fork`, { at: head + 1000 })).body.error.message, /after the head/);
  assert.equal((await g.api('POST', `/api/v1/sessions/${src}/fork`, { target: 'x' })).status, 400, 'unknown keys');

  // unknown target agent, as create says it
  for (const name of ['nope', 'constructor', '__proto__']) {
    const r = await g.api('POST', `/api/v1/sessions/${src}/fork`, { target_agent: name });
    assert.deepEqual([r.status, r.body.error.code], [404, 'agent_not_found'], name);
  }
  assert.equal((await g.api('POST', '/api/v1/sessions/demo_nope/fork', {})).status, 404);

  // busy: a turn runs
  const slow = g.api('POST', `/api/v1/sessions/${src}/prompt`, says('/slow 30'));
  await eventually(async () => (await g.api('GET', `/api/v1/sessions/${src}`)).body.status === 'prompting', 10_000, 'the turn running');
  const busy = await g.api('POST', `/api/v1/sessions/${src}/fork`, { at: first.position });
  assert.deepEqual([busy.status, busy.body.error.code], [409, 'session_busy']);
  await g.api('POST', `/api/v1/sessions/${src}/cancel`);
  assert.equal((await slow).status, 200);

  // capacity as create: demo has max_sessions 3 (src + 2 forks)
  assert.equal((await g.api('POST', `/api/v1/sessions/${src}/fork`, {})).status, 201);
  assert.equal((await g.api('POST', `/api/v1/sessions/${src}/fork`, {})).status, 201);
  const full = await g.api('POST', `/api/v1/sessions/${src}/fork`, {});
  assert.deepEqual([full.status, full.body.error.code], [429, 'max_sessions_reached']);
  assert.equal(events(g, src).filter((e) => e.type === 'SessionForked').length, 2, 'refusals leave no link');

  // a closed session is not busy: its log can still be forked, by transcript
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${src}`)).status, 204);
  const fromClosed = await g.api('POST', `/api/v1/sessions/${src}/fork`, { target_agent: 'other' });
  assert.deepEqual([fromClosed.status, fromClosed.body.method, fromClosed.body.status], [201, 'transcript', 'idle']);
  assert.match(primingText(g, fromClosed.body.id)!, /User: hello\n\nAssistant: echo: hello/);
});

test('acp_fork_session: the same fork over MCP, errors as results', async (t) => {
  const g = await startTestGateway({ agents: { demo: {}, other: {} } });
  t.after(() => g.dispose());
  const src = await session(g);
  await prompt(g, src, 'over mcp');
  const r = (await callTool(g, 'acp_fork_session', { session_id: src, target_agent: 'other' })).body.result;
  assert.equal(r.isError, undefined, JSON.stringify(r));
  const s = r.structuredContent as { id: string; agent: string; method: string; forked_from: { session_id: string } };
  assert.deepEqual([s.agent, s.method, s.forked_from.session_id], ['other', 'transcript', src]);
  assert.match(r.content[0].text, new RegExp(`^Session forked: ${s.id} \\(agent: other, from: ${src}@\\d+, method: transcript\\)$`));
  assert.match(primingText(g, s.id)!, /User: over mcp/);
  const bad = (await callTool(g, 'acp_fork_session', { session_id: src, target_agent: 'nope' })).body.result;
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /^Error: agent 'nope' not configured/);
});

test('a forked session survives a restart: listed with its link, re-attached by the usual ladder', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-fork-restart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const agents = { demo: {}, none: { flags: ['--mode', 'none'] } };
  const first = await startTestGateway({ dir, agents });
  const src = await session(first);
  await prompt(first, src, 'before the fork');
  const native = (await first.api('POST', `/api/v1/sessions/${src}/fork`, {})).body;
  const viaTranscript = (await first.api('POST', `/api/v1/sessions/${src}/fork`, { target_agent: 'none' })).body;
  assert.deepEqual([native.method, viaTranscript.method], ['native', 'transcript']);
  await prompt(first, native.id, 'in the fork');
  await prompt(first, viaTranscript.id, 'in the other fork');
  await first.close();

  const second = await startTestGateway({ dir, agents });
  t.after(() => second.dispose());
  const list = (await second.api('GET', '/api/v1/sessions')).body as { id: string; origin: string; forked_from: { session_id: string } | null }[];
  for (const id of [native.id, viaTranscript.id]) {
    const s = list.find((x) => x.id === id)!;
    assert.deepEqual([s.origin, s.forked_from?.session_id], ['fork', src]);
  }
  // the native fork resumes its own ACP session: the source's prompt and its own
  assert.match((await prompt(second, native.id, '/history')).text, /1\. before the fork\n2\. in the fork\n3\. \/history/);
  assert.equal((await second.api('GET', `/api/v1/sessions/${native.id}`)).body.attach.path, 'resume');
  // an agent that can neither resume nor load: the transcript starts with the source's conversation, then the fork's
  const again = await prompt(second, viaTranscript.id, '/history');
  assert.equal((await second.api('GET', `/api/v1/sessions/${viaTranscript.id}`)).body.attach.path, 'new_with_transcript');
  assert.match(again.text, /User: before the fork.*User: in the other fork/s);
  assert.equal(events(second, src).filter((e) => e.type === 'SessionForked').length, 2);
});
