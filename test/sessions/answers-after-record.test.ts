// Every answer to an agent's permission request is on record before it is written to the agent: a decision by a
// person, a cancel, and a close that comes while the request is pending (the close answers it `cancelled`, as ACP
// wants, only once that cancellation is in the log).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';
import type { RecordedEvent } from '../../src/store/types.js';

/** Position of each permission answer written to the agent, and of the PermissionDecided that records it. */
function answersAndDecisions(g: TestGateway, id: string) {
  const events = g.gw.store.readStream(`session:${id}`);
  const requests = new Map<unknown, string>(); // JSON-RPC id of session/request_permission → approval
  const decided = new Map<string, RecordedEvent>();
  const answers: { position: number; outcome: string; rpcId: unknown }[] = [];
  for (const e of events) {
    const d = e.data as { dir?: string; msg?: { id?: unknown; method?: string; result?: { outcome?: { outcome: string } } }; approval_id?: string };
    if (e.type === 'AcpMessage' && d.dir === 'in' && d.msg?.method === 'session/request_permission') requests.set(d.msg.id, '');
    if (e.type === 'AcpMessage' && d.dir === 'out' && d.msg?.result?.outcome && requests.has(d.msg.id)) {
      answers.push({ position: e.position, outcome: d.msg.result.outcome.outcome, rpcId: d.msg.id });
    }
    if (e.type === 'PermissionDecided') decided.set(d.approval_id!, e);
  }
  return { answers, decided: [...decided.values()] };
}

test('a close while a permission request is pending: its cancellation is recorded before the agent is answered', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  const id: string = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
  const turn = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute deploy'));
  await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 5000, 'approval');
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${id}`)).status, 204);
  await turn;
  await g.gw.runtime.settled();
  const { answers, decided } = answersAndDecisions(g, id);
  assert.equal(decided.length, 1, 'the pending request was decided on record');
  const d = decided[0]!.data as { decision: string; decided_by: string };
  assert.deepEqual([d.decision, d.decided_by], ['cancelled', 'cancel']);
  assert.equal(answers.length, 1, 'the agent was answered cancelled (ACP)');
  assert.equal(answers[0]!.outcome, 'cancelled');
  for (const a of answers) assert.ok(a.position > decided[0]!.position, `answer ${a.outcome} at ${a.position} after its record at ${decided[0]!.position}`);
});

test('an approval by a person and a cancel: each answer follows its PermissionDecided', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  const id: string = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
  for (const how of ['approve', 'cancel'] as const) {
    const turn = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute deploy'));
    const approval = await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 5000, 'approval');
    if (how === 'approve') assert.equal((await g.api('POST', `/api/v1/approvals/${approval.approval_id}`, { decision: 'allow_once' })).status, 200);
    else await g.api('POST', `/api/v1/sessions/${id}/cancel`);
    await turn;
  }
  const { answers, decided } = answersAndDecisions(g, id);
  assert.equal(answers.length, 2);
  assert.equal(decided.length, 2);
  for (let i = 0; i < 2; i++) assert.ok(answers[i]!.position > decided[i]!.position, `answer ${i} after its record`);
});
