// The typed client is written on the document: every operation it calls is in GET /openapi.json with the same
// method and path, and every answer it gets in a session's life is checked against the document's schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AintegrixClient, ApiError, OPERATIONS } from '../../src/client/index.js';
import { rmSync } from 'node:fs';
import { eventually, startTestGateway, TOKEN } from '../helpers/gateway.js';
import { responseChecker } from '../helpers/response-check.js';

test('every operation of the client is in the document, by operationId, method and path', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const doc = (await new AintegrixClient({ baseUrl: g.url }).openApi()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  const documented = new Map<string, [string, string]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) if (op.operationId) documented.set(op.operationId, [method.toUpperCase(), path]);
  }
  for (const [id, [method, path]] of Object.entries(OPERATIONS)) assert.deepEqual(documented.get(id), [method, path], `client operation ${id}`);
});

test("the client's answers in a session's life match the document", async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  const checker = await responseChecker(g.url);
  let checked = 0;
  // every JSON answer goes through the checker (streams are checked for their media type)
  const checkingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') && !type.startsWith('application/x-ndjson')) {
      checker.check(init?.method ?? 'GET', String(input), res.status, type, await res.clone().text());
      checked++;
    }
    return res;
  };
  const c = new AintegrixClient({ baseUrl: g.url, token: TOKEN, fetch: checkingFetch });
  assert.equal(await c.health(), true);
  assert.deepEqual((await c.listAgents()).map((a) => a.name), ['demo']);
  assert.equal((await c.agentStatus())[0]!.status, 'idle');
  assert.equal((await c.agentModels('demo')).agent, 'demo');
  const s = await c.createSession({ agent: 'demo' });
  const turn = await c.prompt(s.id, 'hello');
  assert.deepEqual([turn.stop_reason, turn.text], ['end_turn', 'echo: hello']);

  // a streamed turn with a permission request decided through the client
  const kinds: string[] = [];
  for await (const f of c.promptStream(s.id, '/permission execute make build')) {
    kinds.push(f.kind);
    if (f.kind === 'permission_request') {
      const pending = await c.listApprovals({ session_id: s.id });
      assert.equal(pending[0]!.approval_id, f.data.approval_id);
      assert.equal((await c.decideApproval(f.data.approval_id, { decision: 'allow_once' })).decision, 'allow_once');
    }
  }
  assert.deepEqual([kinds.includes('permission_decided'), kinds.at(-1)], [true, 'turn_complete']);

  const page = await c.sessionEvents(s.id, { type: 'TurnEnded' });
  assert.equal(page.events.length, 2);
  const followed = [];
  for await (const e of c.streamEvents(s.id, { type: 'TurnEnded', follow: false })) followed.push(e.position);
  assert.deepEqual(followed, page.events.map((e) => e.position));
  assert.equal((await c.getSession(s.id)).turns, 2);
  assert.equal((await c.cancelTurn(s.id)).cancelled, false);
  assert.equal((await c.usage({ session: s.id })).totals.prompts, 2);
  const report = await c.verifyAudit();
  assert.equal(report.ok, true);
  const lines = [];
  for await (const line of c.exportAudit({ type: 'TurnEnded' })) lines.push(JSON.parse(line));
  assert.equal(lines.length, 2);
  const fork = await c.forkSession(s.id);
  assert.equal(fork.forked_from.session_id, s.id);
  await c.closeSession(fork.id);
  await c.closeSession(s.id);
  assert.equal((await c.listSessions()).filter((x) => x.status === 'closed').length, 2);

  const missing = await c.getSession('nope').catch((e: unknown) => e);
  assert.ok(missing instanceof ApiError);
  assert.deepEqual([missing.status, missing.code], [404, 'session_not_found']);
  const unreachable = await new AintegrixClient({ baseUrl: 'http://127.0.0.1:9' }).listAgents().catch((e: unknown) => e);
  assert.deepEqual([(unreachable as ApiError).status, (unreachable as ApiError).code], [0, 'unreachable']);
  assert.ok(checked >= 15, `${checked} answers checked`);
});

test("the client's orchestrations and pipelines: run, list and read, answers matching the document", async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const checker = await responseChecker(g.url);
  const checkingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    checker.check(init?.method ?? 'GET', String(input), res.status, res.headers.get('content-type') ?? '', await res.clone().text());
    return res;
  };
  const c = new AintegrixClient({ baseUrl: g.url, token: TOKEN, fetch: checkingFetch });
  const o = await c.orchestrate({ agents: ['demo', 'demo'], strategy: 'parallel', messages: [{ type: 'text', text: 'hi' }] });
  assert.deepEqual(o.results.map((r) => r.text), ['echo: hi', 'echo: hi']);
  assert.deepEqual((await c.listOrchestrations()).map((x) => x.id), [o.id]);
  assert.equal((await c.getOrchestration(o.id)).status, 'completed');

  const p = await c.runPipeline({ steps: [{ agent: 'demo' }, { agent: 'demo', prompt_template: 'again {{previous}}' }], messages: [{ type: 'text', text: 'hi' }] });
  assert.deepEqual(p.results.map((s) => s.text), ['echo: hi', 'echo: again echo: hi']);
  assert.deepEqual((await c.listPipelines()).map((x) => x.id), [p.id]);
  assert.equal((await c.getPipeline(p.id)).steps_completed, 2);
  const bad = await c.runPipeline({ steps: [{ agent: 'demo', prompt_template: '{{nope}}' }], messages: [{ type: 'text', text: 'x' }] }).catch((e: unknown) => e);
  assert.deepEqual([(bad as ApiError).status, (bad as ApiError).code], [400, 'unknown_placeholder']);
  const missing = await c.getPipeline('pl_nope').catch((e: unknown) => e);
  assert.deepEqual([(missing as ApiError).status, (missing as ApiError).code], [404, 'pipeline_not_found']);
});

test("the client's delete and resume of runs, and the reviews, answers matching the document", async (t) => {
  const checked = async (url: string) => {
    const checker = await responseChecker(url);
    const checkingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const type = res.headers.get('content-type') ?? '';
      if (!type.startsWith('text/event-stream')) checker.check(init?.method ?? 'GET', String(input), res.status, type, await res.clone().text());
      return res;
    };
    return new AintegrixClient({ baseUrl: url, token: TOKEN, fetch: checkingFetch });
  };
  let g = await startTestGateway();
  const dir = g.dir;
  t.after(async () => {
    await g.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let c = await checked(g.url);
  const o = await c.orchestrate({ agents: ['demo'], strategy: 'parallel', messages: [{ type: 'text', text: 'hi' }] });
  const notResumable = await c.resumeOrchestration(o.id).catch((e: unknown) => e);
  assert.deepEqual([(notResumable as ApiError).status, (notResumable as ApiError).code], [409, 'not_interrupted']);
  await c.deleteOrchestration(o.id);
  const gone = await c.deleteOrchestration('or_nope').catch((e: unknown) => e);
  assert.deepEqual([(gone as ApiError).status, (gone as ApiError).code], [404, 'orchestration_not_found']);

  // a running pipeline deleted: its run ends cancelled
  const slow = { steps: [{ agent: 'demo', prompt_template: '/slow 120' }], messages: [{ type: 'text' as const, text: 'x' }] };
  // (the blocking POST of a deleted run is not answered: this client stops waiting for it)
  const waiting = new AbortController();
  const running = c.runPipeline(slow, waiting.signal).catch((e: unknown) => e);
  const id = await eventually(async () => (await c.listPipelines()).find((p) => p.status === 'running' && p.results[0]?.session_id)?.id, 15_000, 'a running step');
  await c.deletePipeline(id);
  waiting.abort();
  await running;
  assert.equal((await c.getPipeline(id)).deleted, true);
  assert.deepEqual(await c.listReviews(), []);
  const noReview = await c.getReview('rv_nope').catch((e: unknown) => e);
  assert.deepEqual([(noReview as ApiError).status, (noReview as ApiError).code], [404, 'review_not_found']);

  // a pipeline whose gateway stopped mid-step is interrupted; resumed, it runs from that step
  const once = { steps: [{ agent: 'demo', prompt_template: '/slow-first 120 c1' }], messages: [{ type: 'text' as const, text: 'x' }] };
  const stopping = new AbortController();
  const stopped = c.runPipeline(once, stopping.signal).catch((e: unknown) => e);
  const pid = await eventually(async () => (await c.listPipelines()).find((p) => p.id !== id && p.results[0]?.session_id)?.id, 15_000, 'the step started');
  await g.close();
  stopping.abort(); // (its connection is not ended by the close: this client stops waiting)
  await stopped;
  g = await startTestGateway({ dir });
  c = await checked(g.url);
  assert.equal((await c.getPipeline(pid)).final_status, 'interrupted');
  const resumed = await c.resumePipeline(pid);
  assert.deepEqual([resumed.final_status, resumed.results[0]!.text], ['completed', 'slow-first c1: again, at once']);
});
