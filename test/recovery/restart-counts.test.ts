// Restart numbers and the crash back-off live in the log: after a gateway restart, AgentProcessSpawned.restart
// continues its count, and the consecutive crashes before it still count towards giving up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { says, startTestGateway, type TestGateway } from '../helpers/gateway.js';

function spawnedRestarts(g: TestGateway, session: string): number[] {
  return g.gw.store
    .listStreams('agent:demo:')
    .flatMap((s) => g.gw.store.readStream(s.streamId))
    .filter((e) => e.type === 'AgentProcessSpawned' && (e.data as { session: string }).session === session)
    .map((e) => (e.data as { restart: number }).restart);
}

test('restart count and crash back-off survive a gateway restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-restart-counts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const backoff = { restartBackoffMs: [20, 40] };

  const first = await startTestGateway({ dir, ...backoff });
  const id: string = (await first.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
  const healthy: string = (await first.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
  assert.equal((await first.api('POST', `/api/v1/sessions/${healthy}/prompt`, says('before'))).status, 200);
  // two crashes in a row: the second prompt respawns the agent (restart 1), which crashes again
  for (let i = 0; i < 2; i++) assert.equal((await first.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit 9'))).body.error.code, 'agent_exited');
  assert.deepEqual(spawnedRestarts(first, id), [0, 1]);
  await first.close();

  const second = await startTestGateway({ dir, ...backoff });
  t.after(() => second.dispose());
  // a healthy session re-attached after the restart is the restart of its agent, not a first process
  assert.equal((await second.api('POST', `/api/v1/sessions/${healthy}/prompt`, says('after'))).status, 200);
  assert.deepEqual(spawnedRestarts(second, healthy), [0, 1], 'the count continues after the gateway restart');
  // the crashing session's third process is restart 2, and its third crash in a row is over the back-off's two
  assert.equal((await second.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit 9'))).body.error.code, 'agent_exited');
  assert.deepEqual(spawnedRestarts(second, id), [0, 1, 2]);
  const gaveUp = await second.api('POST', `/api/v1/sessions/${id}/prompt`, says('hello?'));
  assert.equal(gaveUp.status, 503, JSON.stringify(gaveUp.body));
  assert.equal(gaveUp.body.error.code, 'agent_failed');
  assert.match(gaveUp.body.error.message, /crashed 3 times in a row/);
  assert.equal((await second.api('GET', `/api/v1/sessions/${id}`)).body.status, 'failed');
});

test('a completed turn ends the run of crashes, also when it is read back after a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-restart-reset-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const backoff = { restartBackoffMs: [20] };
  const first = await startTestGateway({ dir, ...backoff });
  const id: string = (await first.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
  assert.equal((await first.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit 9'))).body.error.code, 'agent_exited');
  assert.equal((await first.api('POST', `/api/v1/sessions/${id}/prompt`, says('fine'))).status, 200, 'one crash: respawned after the back-off');
  await first.close();
  const second = await startTestGateway({ dir, ...backoff });
  t.after(() => second.dispose());
  // one crash after the completed turn is within a back-off of one: the session goes on
  assert.equal((await second.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit 9'))).body.error.code, 'agent_exited');
  const again = await second.api('POST', `/api/v1/sessions/${id}/prompt`, says('still here'));
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.deepEqual(spawnedRestarts(second, id), [0, 1, 2, 3]);
});
