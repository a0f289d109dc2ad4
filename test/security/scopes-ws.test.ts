// Token scopes on the WebSocket session stream: the upgrade needs `read`; prompt and cancel need `prompt`, approve
// needs `approve`; a refused message gets an error naming the scope and the socket stays open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { says, startTestGateway } from '../helpers/gateway.js';
import { Client, tryUpgrade, wsUrl } from '../helpers/ws-client.js';
import { ADMIN, APPROVER, PROMPTER, READER, READ_APPROVE, READ_PROMPT, SCOPED_TOKENS, metaOf } from './scope-tokens.js';

const refusal = (scope: string, type: string) => ({ code: 'insufficient_scope', message: `insufficient scope: needs '${scope}'`, scope, for: type });

test('WS: the upgrade needs read; each message needs its scope; a refused message leaves the socket open', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' }, tokens: SCOPED_TOKENS });
  t.after(() => g.dispose());
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' }, { token: ADMIN })).body.id;
  const stream = (token: string) => wsUrl(g, `/api/v1/sessions/${id}/stream?token=${token}`);

  for (const [token, how] of [[PROMPTER, 'query'], [APPROVER, 'header']] as const) {
    const r = how === 'query' ? await tryUpgrade(stream(token)) : await tryUpgrade(wsUrl(g, `/api/v1/sessions/${id}/stream`), { authorization: `Bearer ${token}` });
    assert.equal(r.status, 403, `a token without read cannot subscribe (${how})`);
    assert.equal(r.headers['www-authenticate'], 'Bearer error="insufficient_scope", scope="read"');
    assert.deepEqual(JSON.parse(r.body), { error: { code: 'insufficient_scope', message: "insufficient scope: needs 'read'", details: { scope: 'read' } } });
  }

  const reader = await Client.connect(stream(READER));
  t.after(() => reader.ws.close());
  const head = g.gw.store.headPosition();
  const refused: [unknown, string, string][] = [
    [{ type: 'prompt', ...says('no') }, 'prompt', 'prompt'],
    [{ type: 'cancel' }, 'prompt', 'cancel'],
    [{ type: 'approve', approval_id: 'ap_any', decision: 'allow_once' }, 'approve', 'approve'],
  ];
  for (const [message, scope, type] of refused) {
    reader.messages.length = 0;
    reader.send(message);
    assert.deepEqual((await reader.waitFor((m) => m.type === 'error')).data, refusal(scope, type));
  }
  reader.send({ type: 'resume', after: 0 });
  assert.equal((await reader.waitFor((m) => m.type === 'ack')).data.for, 'resume');
  assert.equal(g.gw.store.headPosition(), head, 'a refused message changed nothing');
  await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('seen by reader'), { token: ADMIN });
  const seen = await reader.waitFor((m) => m.type === 'turn_complete' && m.data.text === 'echo: seen by reader');
  assert.ok(seen.position! > head, 'the read-only socket still follows the session');
  assert.equal(reader.closed, undefined);

  // read+prompt prompts but cannot approve; read+approve approves but cannot prompt
  const prompter = await Client.connect(stream(READ_PROMPT));
  t.after(() => prompter.ws.close());
  const approver = await Client.connect(stream(READ_APPROVE));
  t.after(() => approver.ws.close());
  approver.send({ type: 'prompt', ...says('no') });
  assert.deepEqual((await approver.waitFor((m) => m.type === 'error')).data, refusal('prompt', 'prompt'));
  prompter.send({ type: 'prompt', ...says('/permission execute make build') });
  assert.equal((await prompter.waitFor((m) => m.type === 'ack')).data.for, 'prompt');
  const asked = await prompter.waitFor((m) => m.type === 'permission_request');
  prompter.send({ type: 'approve', approval_id: asked.data.approval_id, decision: 'allow_once' });
  assert.deepEqual((await prompter.waitFor((m) => m.type === 'error')).data, refusal('approve', 'approve'));
  await approver.waitFor((m) => m.type === 'permission_request');
  approver.send({ type: 'approve', approval_id: asked.data.approval_id, decision: 'allow_once' });
  assert.equal((await approver.waitFor((m) => m.type === 'ack')).data.decided_by, 'read-approve');
  await prompter.waitFor((m) => m.type === 'turn_complete' && m.data.text === 'permission: selected allow');

  // admin: every message
  const admin = await Client.connect(stream(ADMIN));
  t.after(() => admin.ws.close());
  admin.send({ type: 'prompt', ...says('from admin') });
  await admin.waitFor((m) => m.type === 'turn_complete' && m.data.text === 'echo: from admin');
  admin.send({ type: 'cancel' });
  assert.equal((await admin.waitFor((m) => m.type === 'ack' && m.data.for === 'cancel')).data.cancelled, false);

  assert.deepEqual(
    metaOf(g, id, 'PromptSubmitted').map((m) => [m.principal, m.scopes]),
    [['admin', ['admin']], ['read-prompt', ['read', 'prompt']], ['admin', ['admin']]],
  );
  const decided = metaOf(g, id, 'PermissionDecided').filter((m) => m.principal === 'read-approve');
  assert.deepEqual(decided.map((m) => m.scopes), [['read', 'approve']]);
});
