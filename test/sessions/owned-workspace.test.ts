// A workspace the gateway made for a session (workspace_owned) is removed when the session is closed, also when the
// session had failed first (its agent exited without auto_restart), before or after a gateway restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSessionWithWorkspace, says, startTestGateway } from '../helpers/gateway.js';

test('a session that failed and is then deleted has its workspace removed', async (t) => {
  const g = await startTestGateway({ agents: { demo: { auto_restart: false } } });
  t.after(() => g.dispose());
  const { id, ws } = await createSessionWithWorkspace(g);
  const exited = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit'));
  assert.equal(exited.body.error.code, 'agent_exited');
  assert.equal((await g.api('GET', `/api/v1/sessions/${id}`)).body.status, 'failed');
  assert.ok(existsSync(ws), 'a failed session keeps its workspace until it is closed');
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${id}`)).status, 204);
  assert.ok(!existsSync(ws), 'the workspace the gateway made is gone once the failed session is deleted');
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${id}`)).status, 204, 'deleting it again is a no-op');
});

test('a session that failed before a gateway restart has its workspace removed when deleted after it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-owned-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const agents = { demo: { auto_restart: false } };
  const first = await startTestGateway({ dir, agents });
  let ws: string;
  let id: string;
  try {
    ({ id, ws } = await createSessionWithWorkspace(first));
    assert.equal((await first.api('POST', `/api/v1/sessions/${id}/prompt`, says('/exit'))).body.error.code, 'agent_exited');
  } finally {
    await first.close();
  }
  const second = await startTestGateway({ dir, agents });
  t.after(() => second.close());
  assert.equal((await second.api('GET', `/api/v1/sessions/${id}`)).body.status, 'failed');
  assert.ok(existsSync(ws));
  assert.equal((await second.api('DELETE', `/api/v1/sessions/${id}`)).status, 204);
  assert.ok(!existsSync(ws), 'removed after the restart too');
});

test('a workspace the client gave is never removed, failed or not', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'aix-given-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const g = await startTestGateway({ agents: { demo: { auto_restart: false } }, workspaces: { allowed_roots: [root] } });
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo', workspace_root: root });
  assert.equal(s.status, 201);
  assert.equal((await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('/exit'))).body.error.code, 'agent_exited');
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${s.body.id}`)).status, 204);
  assert.ok(existsSync(root));
});
