// The model switch, append before act: POST /sessions/{id}/model records ModelChangeRequested before the agent is
// asked anything, then the outcome (ModelChanged or ModelChangeFailed, linked to the request by its position), and
// answers from that outcome as it always did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { says, startTestGateway } from '../helpers/gateway.js';

test('a model change is requested in the log first, then switched, and the outcome names its request', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  const id: string = s.body.id;
  const changed = await g.api('POST', `/api/v1/sessions/${id}/model`, { model: 'demo-smart' });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.equal(changed.body.model, 'demo-smart');
  const events = g.gw.store.readStream(`session:${id}`);
  const requested = events.find((e) => e.type === 'ModelChangeRequested')!;
  const outcome = events.find((e) => e.type === 'ModelChanged')!;
  assert.deepEqual(requested.data, { model: 'demo-smart' });
  assert.equal(requested.meta?.principal, 'tester', 'the request carries who asked');
  const setCall = events.find((e) => e.type === 'AcpMessage' && (e.data as { msg: { method?: string } }).msg.method === 'session/set_config_option');
  assert.ok(setCall && requested.position < setCall.position, 'the agent is asked only after the request is in the log');
  assert.ok(setCall.position < outcome.position);
  assert.deepEqual(outcome.data, { model: 'demo-smart', via: 'set_config_option', request: requested.position });
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.model, 'demo-smart');

  // refused by decide: nothing is recorded, nothing is sent
  const unknown = await g.api('POST', `/api/v1/sessions/${id}/model`, { model: 'gpt-17' });
  assert.deepEqual([unknown.status, unknown.body.error.code], [400, 'unknown_model']);
  assert.equal(g.gw.store.readStream(`session:${id}`).filter((e) => e.type === 'ModelChangeRequested').length, 1);
});

test('an agent that cannot be attached for the switch: the failure is recorded and answered as before', async (t) => {
  // no back-off step: after one crash the next attach gives up (agent_failed)
  const g = await startTestGateway({ restartBackoffMs: [] });
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  const id: string = s.body.id;
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit'))).body.error.code, 'agent_exited');
  const r = await g.api('POST', `/api/v1/sessions/${id}/model`, { model: 'demo-smart' });
  assert.deepEqual([r.status, r.body.error.code], [503, 'agent_failed'], JSON.stringify(r.body));
  const events = g.gw.store.readStream(`session:${id}`);
  const requested = events.find((e) => e.type === 'ModelChangeRequested')!;
  const failed = events.find((e) => e.type === 'ModelChangeFailed')!;
  assert.equal((failed.data as { request: number }).request, requested.position);
  assert.equal((failed.data as { error: { code: string } }).error.code, 'agent_failed');
  assert.ok(!events.some((e) => e.type === 'ModelChanged'));
});
