// POST /api/v1/pipelines against a real gateway and the bundled agent: real text passing from step to step, a file
// one step writes read by a later one (the shared workspace), a failing step ending the run, the refusals before
// anything starts, SSE streaming of a run, and list / get / events / delete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { eventually, says, startTestGateway, TOKEN } from '../helpers/gateway.js';
import { readSse } from '../helpers/sse.js';

test('steps pass real text: step 2 sees step 1 answer, a later step reads the file an earlier step wrote', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const r = await g.api('POST', '/api/v1/pipelines', {
    steps: [
      { agent: 'demo' },
      { agent: 'demo', prompt_template: 'second saw [{{previous}}] from [{{input}}]' },
      { agent: 'demo', prompt_template: '/write handoff.txt {{steps.1.text}}' },
      { agent: 'demo', prompt_template: '/read handoff.txt' },
    ],
    messages: [{ type: 'text', text: 'hello pipeline' }],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const p = r.body;
  assert.equal(p.final_status, 'completed');
  assert.equal(p.steps_completed, 4);
  assert.deepEqual(p.results.map((s: { step: number }) => s.step), [1, 2, 3, 4]);
  assert.equal(p.results[0].text, 'echo: hello pipeline');
  assert.equal(p.results[1].text, 'echo: second saw [echo: hello pipeline] from [hello pipeline]');
  assert.ok(p.results[3].text.endsWith('echo: hello pipeline'), p.results[3].text);
  for (const s of p.results) {
    assert.equal(s.status, 'completed');
    assert.equal(s.stop_reason, 'end_turn');
    assert.equal(s.agent, 'demo');
    assert.ok(typeof s.duration_ms === 'number');
    // every step is an ordinary session, listed with its origin, closed once its turn ended
    const session = (await g.api('GET', `/api/v1/sessions/${s.session_id}`)).body;
    assert.equal(session.origin, 'pipeline');
    assert.equal(session.status, 'closed');
  }
  // each step's turn counts for its pipeline in the usage figures
  assert.equal(g.gw.usage.session(p.results[2].session_id)?.turns.get(1)?.pipeline, p.id);
  // each step's prompt went to its agent as rendered
  const prompt2 = g.gw.store.readStream(`session:${p.results[1].session_id}`).find((e) => e.type === 'PromptSubmitted');
  assert.match(JSON.stringify(prompt2!.data), /second saw \[echo: hello pipeline\]/);

  const got = await g.api('GET', `/api/v1/pipelines/${p.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body.results, p.results);
  const listed = (await g.api('GET', '/api/v1/pipelines')).body;
  assert.ok(listed.some((x: { id: string; status: string }) => x.id === p.id && x.status === 'completed'));

  const page = (await g.api('GET', `/api/v1/pipelines/${p.id}/events?limit=3`)).body;
  assert.deepEqual(page.events.map((e: { type: string }) => e.type), ['PipelineStarted', 'StepStarted', 'StepEnded']);
  const rest = (await g.api('GET', `/api/v1/pipelines/${p.id}/events?after=${page.next_after}`)).body;
  assert.equal(rest.events.at(-1).type, 'PipelineEnded');
  const ended = (await g.api('GET', `/api/v1/pipelines/${p.id}/events?type=StepEnded`)).body;
  assert.equal(ended.events.length, 4);
  const sse = await readSse(`${g.url}/api/v1/pipelines/${p.id}/events?follow=false`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' } });
  assert.equal(sse.frames.length, page.events.length + rest.events.length);
  assert.equal(sse.frames[0]!.id, page.events[0].position);

  // delete: the workspace the gateway made is removed; the pipeline stays readable, marked deleted
  assert.ok(existsSync(p.workspace_root));
  assert.equal((await g.api('DELETE', `/api/v1/pipelines/${p.id}`)).status, 204);
  assert.ok(!existsSync(p.workspace_root));
  const after = (await g.api('GET', `/api/v1/pipelines/${p.id}`)).body;
  assert.equal(after.deleted, true);
  assert.equal(after.final_status, 'completed');
  assert.equal((await g.api('POST', `/api/v1/pipelines/${p.id}/resume`)).body.error.code, 'pipeline_deleted');
});

test('a failing step ends the pipeline: final_status failed, later steps skipped and never run', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const r = await g.api('POST', '/api/v1/pipelines', {
    steps: [{ agent: 'demo' }, { agent: 'demo', prompt_template: '/fail' }, { agent: 'demo' }],
    messages: [{ type: 'text', text: 'x' }],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.final_status, 'failed');
  assert.equal(r.body.steps_completed, 1);
  assert.deepEqual(r.body.results.map((s: { status: string }) => s.status), ['completed', 'failed', 'skipped']);
  assert.match(r.body.results[1].error.message, /demo failure/);
  assert.equal(r.body.results[2].session_id, null);
  assert.match(r.body.reason, /step 2 \(demo\) failed/);
  const sessions = (await g.api('GET', '/api/v1/sessions')).body.filter((s: { origin: string }) => s.origin === 'pipeline');
  assert.equal(sessions.length, 2);
  assert.equal((await g.api('POST', `/api/v1/pipelines/${r.body.id}/resume`)).body.error.code, 'not_resumable');
  const metrics = await (await fetch(`${g.url}/metrics`)).text();
  assert.match(metrics, /aintegrix_orchestrations_total\{kind="pipeline",outcome="failed"\} 1\n/);
  assert.match(metrics, /aintegrix_orchestrations_total\{kind="pipeline",outcome="completed"\} 0\n/);
});

test('bad requests are refused before anything starts, naming what is wrong', async (t) => {
  const g = await startTestGateway({ limits: { max_body_bytes: 16384, max_prompt_bytes: 1024 } });
  t.after(() => g.dispose());
  const msg = [{ type: 'text', text: 'x' }];
  const cases: [unknown, number, string, RegExp][] = [
    [{ steps: [{ agent: 'demo', prompt_template: 'a {{inptu}} b' }], messages: msg }, 400, 'unknown_placeholder', /\{\{inptu\}\}/],
    [{ steps: [{ agent: 'demo' }, { agent: 'demo', prompt_template: '{{steps.2.text}}' }], messages: msg }, 400, 'unknown_placeholder', /steps\[1\].*\{\{steps\.2\.text\}\}/],
    [{ steps: [{ agent: 'demo', prompt_template: '{{steps.0.text}}' }], messages: msg }, 400, 'unknown_placeholder', /steps\.0/],
    [{ steps: [{ agent: 'demo' }, { agent: 'ghost' }], messages: msg }, 404, 'agent_not_found', /steps\[1\]\.agent: agent 'ghost'/],
    [{ steps: [], messages: msg }, 400, 'invalid_request', /steps: at least one step/],
    [{ steps: Array.from({ length: 17 }, () => ({ agent: 'demo' })), messages: msg }, 400, 'invalid_request', /at most 16 steps/],
    [{ steps: [{ agent: 'demo', extra: 1 }], messages: msg }, 400, 'invalid_request', /extra/],
    [{ steps: [{ agent: 'demo' }] }, 400, 'invalid_request', /messages/],
    [{ steps: [{ agent: 'demo' }], messages: msg, workspace_root: '/etc' }, 400, 'workspace_not_allowed', /\/etc/],
  ];
  for (const [body, status, code, message] of cases) {
    const r = await g.api('POST', '/api/v1/pipelines', body);
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 120)} → ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code);
    assert.match(r.body.error.message, message);
  }
  const long = await g.api('POST', '/api/v1/pipelines', { steps: [{ agent: 'demo' }], messages: [{ type: 'text', text: 'y'.repeat(2000) }] });
  assert.equal(long.status, 413, JSON.stringify(long.body));
  assert.equal(long.body.error.code, 'prompt_too_large');
  const big = await g.api('POST', '/api/v1/pipelines', { steps: [{ agent: 'demo' }], messages: [{ type: 'text', text: 'y'.repeat(20000) }] });
  assert.equal(big.status, 413, JSON.stringify(big.body));
  // nothing started: no pipeline, no session
  assert.deepEqual((await g.api('GET', '/api/v1/pipelines')).body, []);
  assert.deepEqual((await g.api('GET', '/api/v1/sessions')).body, []);
  assert.equal((await g.api('GET', '/api/v1/pipelines/pl_nope')).status, 404);
  assert.equal((await g.api('GET', '/api/v1/pipelines/pl_nope/events')).body.error.code, 'pipeline_not_found');
  assert.equal((await g.api('DELETE', '/api/v1/pipelines/pl_nope')).status, 404);
});

test('with Accept: text/event-stream the run streams: started, each step with its updates, the end', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const r = await readSse(`${g.url}/api/v1/pipelines`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({ steps: [{ agent: 'demo' }, { agent: 'demo', prompt_template: 'then {{previous}}' }], messages: [{ type: 'text', text: 'streamed' }] }),
  });
  assert.equal(r.status, 200);
  assert.ok(r.ended);
  const names = r.frames.map((f) => f.event);
  assert.equal(names[0], 'pipeline_started');
  assert.equal(names.at(-1), 'pipeline_complete');
  assert.deepEqual(names.filter((n) => n !== 'step_update'), ['pipeline_started', 'step_started', 'step_complete', 'step_started', 'step_complete', 'pipeline_complete']);
  const updates = r.frames.filter((f) => f.event === 'step_update').map((f) => JSON.parse(f.data));
  const step2Text = updates.filter((u) => u.step === 2 && u.update.sessionUpdate === 'agent_message_chunk').map((u) => u.update.content.text).join('');
  assert.equal(step2Text, 'echo: then echo: streamed');
  const ids = r.frames.map((f) => f.id!);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'frames in log order, each with its position');
  const complete = JSON.parse(r.frames.at(-1)!.data);
  assert.equal(complete.final_status, 'completed');
  const id = complete.id;
  assert.equal((await g.api('GET', `/api/v1/pipelines/${id}`)).body.results[1].text, 'echo: then echo: streamed');
});

test('DELETE during a step cancels it, closes its session, skips the rest', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const run = g.api('POST', '/api/v1/pipelines', { steps: [{ agent: 'demo', prompt_template: '/slow 30' }, { agent: 'demo' }], messages: [{ type: 'text', text: 'x' }] });
  const id = await eventually(async () => (await g.api('GET', '/api/v1/pipelines')).body[0]?.results[0]?.session_id && (await g.api('GET', '/api/v1/pipelines')).body[0].id, 10_000);
  const sessionId = (await g.api('GET', `/api/v1/pipelines/${id}`)).body.results[0].session_id;
  await eventually(() => g.gw.store.readStream(`session:${sessionId}`).some((e) => e.dataText.includes('agent_message_chunk')), 10_000);
  assert.equal((await g.api('DELETE', `/api/v1/pipelines/${id}`)).status, 204);
  const answered = await run;
  assert.equal(answered.status, 200);
  assert.equal(answered.body.final_status, 'cancelled');
  const p = (await g.api('GET', `/api/v1/pipelines/${id}`)).body;
  assert.deepEqual(p.results.map((s: { status: string }) => s.status), ['cancelled', 'skipped']);
  assert.equal((await g.api('GET', `/api/v1/sessions/${sessionId}`)).body.status, 'closed');
  void says;
});

test('a step takes its own model; the events stream resumes after Last-Event-ID', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const r = await g.api('POST', '/api/v1/pipelines', {
    steps: [{ agent: 'demo', model: 'demo-smart', prompt_template: '/model' }, { agent: 'demo', prompt_template: '/model' }],
    messages: [{ type: 'text', text: 'x' }],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.results.map((s: { text: string }) => s.text), ['model: demo-smart', 'model: demo-fast']);
  assert.equal(r.body.results[0].model, 'demo-smart');
  const all = (await g.api('GET', `/api/v1/pipelines/${r.body.id}/events`)).body.events;
  const H = { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' };
  const resumed = await readSse(`${g.url}/api/v1/pipelines/${r.body.id}/events?follow=false`, { headers: { ...H, 'last-event-id': String(all[2].position) } });
  assert.deepEqual(resumed.frames.map((f) => f.id), all.slice(3).map((e: { position: number }) => e.position));
  const typed = await readSse(`${g.url}/api/v1/pipelines/${r.body.id}/events?follow=false&type=StepEnded`, { headers: H });
  assert.deepEqual(typed.frames.map((f) => JSON.parse(f.data).type), ['StepEnded', 'StepEnded']);
});
