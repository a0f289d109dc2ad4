// The WebSocket session stream with a real `ws` client: prompt, cancel, an approval decided over WS, resume with
// `after`, invalid messages, unknown sessions, auth by header and by ?token=.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { TOKEN, says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Client, wsUrl } from '../helpers/ws-client.js';
import { eventually } from '../helpers/poll.js';

async function session(g: TestGateway): Promise<string> {
  return (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
}

test('WS: prompt over the socket streams session_update and turn_complete with positions; cancel works', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = await session(g);
  const c = await Client.connect(wsUrl(g, `/api/v1/sessions/${id}/stream`), { authorization: `Bearer ${TOKEN}` });
  t.after(() => c.ws.close());
  c.send({ type: 'prompt', messages: [{ type: 'text', text: 'hello socket' }] });
  const ack = await c.waitFor((m) => m.type === 'ack');
  assert.equal(ack.data.for, 'prompt');
  assert.equal(ack.data.turn, 1);
  const done = await c.waitFor((m) => m.type === 'turn_complete');
  assert.deepEqual([done.data.stop_reason, done.data.text], ['end_turn', 'echo: hello socket']);
  const updates = c.messages.filter((m) => m.type === 'session_update');
  assert.ok(updates.length >= 2);
  assert.equal(updates[0]!.data.type, 'agent_message_chunk', 'API.txt shape: data.type');
  assert.equal(typeof updates[0]!.data.text, 'string', 'API.txt shape: data.text');
  assert.equal(updates[0]!.data.sessionUpdate, 'agent_message_chunk', 'and the ACP update as sent');
  const positions = c.messages.filter((m) => m.position !== undefined).map((m) => m.position!);
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b));

  c.send({ type: 'prompt', messages: [{ type: 'text', text: '/slow 30' }] });
  await c.waitFor((m) => m.type === 'session_update' && String(m.data.text).startsWith('slow'));
  c.send({ type: 'cancel' });
  const cancelAck = await c.waitFor((m) => m.type === 'ack' && m.data.for === 'cancel');
  assert.equal(cancelAck.data.cancelled, true);
  const cancelled = await c.waitFor((m) => m.type === 'turn_complete' && m.data.turn === 2);
  assert.equal(cancelled.data.stop_reason, 'cancelled');
  const who = g.gw.store.readStream(`session:${id}`).find((e) => e.type === 'TurnCancelRequested')!;
  assert.equal(who.meta.principal, 'tester');
});

test('WS: a permission request is shown and decided over the socket', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());
  const id = await session(g);
  const c = await Client.connect(wsUrl(g, `/api/v1/sessions/${id}/stream?token=${TOKEN}`));
  t.after(() => c.ws.close());
  c.send({ type: 'prompt', messages: [{ type: 'text', text: '/permission execute make release' }] });
  const request = await c.waitFor((m) => m.type === 'permission_request');
  assert.equal(request.data.tool_call.title, 'make release');
  c.send({ type: 'approve', approval_id: request.data.approval_id, decision: 'reject_once', reason: 'not today' });
  const decided = await c.waitFor((m) => m.type === 'permission_decided');
  assert.deepEqual([decided.data.decision, decided.data.option_id, decided.data.decided_by, decided.data.reason], ['reject_once', 'reject', 'tester', 'not today']);
  const done = await c.waitFor((m) => m.type === 'turn_complete');
  assert.equal(done.data.text, 'permission: selected reject');
  c.send({ type: 'approve', approval_id: request.data.approval_id, decision: 'allow_once' });
  const err = await c.waitFor((m) => m.type === 'error');
  assert.equal(err.data.code, 'approval_already_decided');
});

test('WS: resume with after replays exactly the events after that position; ?after= on connect does the same', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = await session(g);
  await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/chunks 5'));
  const c = await Client.connect(wsUrl(g, `/api/v1/sessions/${id}/stream?after=0&token=${TOKEN}`));
  t.after(() => c.ws.close());
  const first = await c.waitFor((m) => m.type === 'turn_complete');
  const seen = c.messages.filter((m) => m.position !== undefined);
  assert.equal(seen[0]!.type, 'session_created');
  assert.equal(seen.filter((m) => m.type === 'session_update').length, 5);
  const cut = seen[3]!.position!;
  c.messages.length = 0;
  c.send({ type: 'resume', after: cut });
  await c.waitFor((m) => m.type === 'turn_complete');
  const again = c.messages.filter((m) => m.position !== undefined);
  assert.deepEqual(again.map((m) => m.position), seen.filter((m) => m.position! > cut).map((m) => m.position));
  assert.equal(again.at(-1)!.position, first.position);

  const late = await Client.connect(wsUrl(g, `/api/v1/sessions/${id}/stream?after=${cut}&token=${TOKEN}`));
  t.after(() => late.ws.close());
  await late.waitFor((m) => m.type === 'turn_complete');
  assert.deepEqual(late.messages.map((m) => m.position), again.map((m) => m.position));
});

test('WS: invalid messages get an error and the socket stays open; unknown session → 4404; no token → 401', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = await session(g);
  const c = await Client.connect(wsUrl(g, `/api/v1/sessions/${id}/stream?token=${TOKEN}`));
  t.after(() => c.ws.close());
  for (const bad of ['not json', '{"type":"bogus"}', '{"type":"prompt","messages":[]}', '{"type":"resume","after":-1}', '[1,2]']) {
    c.messages.length = 0;
    c.send(bad);
    const err = await c.waitFor((m) => m.type === 'error');
    assert.ok(['invalid_json', 'invalid_request'].includes(err.data.code), bad);
  }
  c.send({ type: 'prompt', messages: [{ type: 'text', text: 'still open' }] });
  assert.equal((await c.waitFor((m) => m.type === 'turn_complete')).data.text, 'echo: still open');

  const unknown = new Client(new WebSocket(wsUrl(g, `/api/v1/sessions/nope/stream?token=${TOKEN}`)));
  await eventually(() => unknown.closed, 5000, 'close');
  assert.equal(unknown.closed!.code, 4404);

  for (const [url, headers] of [
    [wsUrl(g, `/api/v1/sessions/${id}/stream`), {}],
    [wsUrl(g, `/api/v1/sessions/${id}/stream?token=wrong-token-0123456789`), {}],
    [wsUrl(g, `/api/v1/sessions/${id}/stream`), { authorization: `bearer ${TOKEN}` }],
  ] as const) {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    assert.equal(status, 401, url);
  }
  const plain = await fetch(`${g.url}/api/v1/sessions/${id}/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(plain.status, 426);
});
