// The read projections of the session actors (sessions-projection.ts): agent status and approvals follow the
// sessions as commits change them, and an approval decided before a restart is still a 409, not a 404.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { says, startTestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

const statusOf = async (g: Awaited<ReturnType<typeof startTestGateway>>) => {
  const a = (await g.api('GET', '/api/v1/agents/status')).body[0] as Record<string, unknown>;
  return [a.status, a.active_sessions, a.running_turns];
};

test('agent status follows sessions: busy while a turn runs, idle after, a closed session no longer counted', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  assert.deepEqual(await statusOf(g), ['idle', 0, 0]);
  const a = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id as string;
  const b = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id as string;
  assert.deepEqual(await statusOf(g), ['idle', 2, 0]);
  // a turn waiting on an approval runs until someone decides
  const turn = g.api('POST', `/api/v1/sessions/${a}/prompt`, says('/permission execute make build'));
  const pending = await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 5000, 'a pending approval');
  assert.deepEqual(await statusOf(g), ['busy', 2, 1]);
  assert.deepEqual((await g.api('GET', `/api/v1/approvals?session_id=${b}`)).body, []);
  assert.equal((await g.api('GET', `/api/v1/approvals?session_id=${a}`)).body[0].approval_id, pending.approval_id);
  assert.equal((await g.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'allow_once' })).status, 200);
  assert.equal((await turn).status, 200);
  assert.deepEqual((await g.api('GET', '/api/v1/approvals')).body, []);
  assert.deepEqual(await statusOf(g), ['idle', 2, 0]);
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${b}`)).status, 204);
  assert.deepEqual(await statusOf(g), ['idle', 1, 0]);
});

test('an approval decided before a restart is answered 409 after it; one never asked is 404', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-projection-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const options = { dir, permissions: { default: 'ask' } } as const;
  const first = await startTestGateway(options);
  const id = (await first.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id as string;
  const turn = first.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute make build'));
  const pending = await eventually(async () => (await first.api('GET', '/api/v1/approvals')).body[0], 5000, 'a pending approval');
  assert.equal((await first.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'reject_once' })).status, 200);
  await turn;
  await first.close();

  const second = await startTestGateway(options);
  t.after(() => second.dispose());
  assert.deepEqual((await second.api('GET', '/api/v1/approvals')).body, []);
  const again = await second.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'allow_once' });
  assert.deepEqual([again.status, again.body.error.code], [409, 'approval_already_decided']);
  const unknown = await second.api('POST', '/api/v1/approvals/ap_never_asked', { decision: 'allow_once' });
  assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'approval_not_found']);
});
