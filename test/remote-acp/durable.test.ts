// `/acp` beyond the transport's first version: permissions decided by the remote client or over REST (first decision
// wins), the history replayed by session/load after a gateway restart, two clients on one session, and a session
// stream reopened with Last-Event-ID mid-turn (nothing lost, nothing twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, TOKEN, type TestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';
import { connectRemote } from './acp-client.js';

const ASK = { permissions: { default: 'ask' } };

async function withGateway(run: (g: TestGateway) => Promise<void>, o: Parameters<typeof startTestGateway>[0] = {}): Promise<void> {
  const g = await startTestGateway(o);
  try {
    await run(g);
  } finally {
    await g.dispose();
  }
}

test('a permission the policy would ask is asked of the remote client, and its answer decides (recorded as the token)', () =>
  withGateway(async (g) => {
    const c = await connectRemote(g.url, '/acp/demo', {
      onPermission: async (p) => ({ outcome: { outcome: 'selected', optionId: p.options.find((o) => o.kind === 'allow_once')!.optionId } }),
    });
    try {
      const id = (await c.request('session/new', { cwd: '/x', mcpServers: [] })).sessionId as string;
      const answer = await c.request('session/prompt', { sessionId: id, prompt: [{ type: 'text', text: '/permission edit notes.md' }] });
      assert.equal(answer.stopReason, 'end_turn');
      assert.equal(c.permissions.length, 1);
      assert.match(c.text(id), /permission: selected allow/);
      const decided = (await g.api('GET', `/api/v1/sessions/${id}/events?type=PermissionDecided`)).body.events;
      assert.equal(decided.length, 1);
      assert.equal(decided[0].data.decided_by, 'tester');
      assert.equal(decided[0].data.decision, 'allow_once');
    } finally {
      c.close();
    }
  }, ASK));

test('a permission decided over REST while the remote client waits: the REST decision wins and the client request is withdrawn', () =>
  withGateway(async (g) => {
    let withdrawn = false;
    const c = await connectRemote(g.url, '/acp/demo', {
      onPermission: (_p, signal) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            withdrawn = true;
            resolve({ outcome: { outcome: 'cancelled' } });
          }),
        ),
    });
    try {
      const id = (await c.request('session/new', { cwd: '/x', mcpServers: [] })).sessionId as string;
      const turn = c.request('session/prompt', { sessionId: id, prompt: [{ type: 'text', text: '/permission edit notes.md' }] });
      const pending = await eventually(async () => (await g.api('GET', `/api/v1/approvals?session_id=${id}`)).body?.[0], 10_000, 'the pending approval');
      await eventually(() => c.permissions.length === 1, 10_000, 'the remote client to be asked');
      const r = await g.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'reject_once' });
      assert.equal(r.status, 200);
      assert.equal((await turn).stopReason, 'end_turn');
      assert.match(c.text(id), /permission: selected reject/);
      await eventually(() => withdrawn, 5000, 'the remote request to be withdrawn');
      const decided = (await g.api('GET', `/api/v1/sessions/${id}/events?type=PermissionDecided`)).body.events;
      assert.equal(decided.length, 1, 'one decision, the first');
    } finally {
      c.close();
    }
  }, ASK));

test('session/load after a gateway restart replays the conversation (prompts and answers), then the session goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-acp-restart-'));
  try {
    let id: string;
    {
      const g = await startTestGateway({ dir });
      const c = await connectRemote(g.url);
      id = (await c.request('session/new', { cwd: '/x', mcpServers: [] })).sessionId;
      await c.request('session/prompt', { sessionId: id, prompt: [{ type: 'text', text: 'first words' }] });
      c.close();
      await g.close();
    }
    const g = await startTestGateway({ dir });
    try {
      const c = await connectRemote(g.url);
      await c.request('session/load', { sessionId: id, cwd: '/x', mcpServers: [] });
      const users = c.updates.filter((u) => u.update.sessionUpdate === 'user_message_chunk').map((u) => u.update.content?.text);
      assert.deepEqual(users, ['first words']);
      assert.equal(c.text(id), 'echo: first words');
      const answer = await c.request('session/prompt', { sessionId: id, prompt: [{ type: 'text', text: 'second' }] });
      assert.equal(answer.stopReason, 'end_turn');
      assert.equal(c.text(id), 'echo: first wordsecho: second');
      c.close();
    } finally {
      await g.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two remote clients on one session both see every update of a turn one of them prompted', () =>
  withGateway(async (g) => {
    const a = await connectRemote(g.url);
    const b = await connectRemote(g.url, '/acp/demo', { transport: 'ws' });
    try {
      const id = (await a.request('session/new', { cwd: '/x', mcpServers: [] })).sessionId as string;
      await b.request('session/resume', { sessionId: id, cwd: '/x', mcpServers: [] });
      await a.request('session/prompt', { sessionId: id, prompt: [{ type: 'text', text: '/chunks 20 5' }] });
      await eventually(() => b.text(id).length === 100, 5000, 'the second client to see the whole answer');
      assert.equal(a.text(id), b.text(id));
    } finally {
      a.close();
      b.close();
    }
  }));

/** Raw Streamable HTTP: the SSE events of a response, as [id, data] pairs, until `stop` says enough. */
async function readEvents(r: Response, stop: (events: { id?: string; data: any }[]) => boolean): Promise<{ id?: string; data: any }[]> {
  const events: { id?: string; data: any }[] = [];
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  while (!stop(events)) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data) events.push({ id, data: JSON.parse(data) });
    }
  }
  await reader.cancel().catch(() => undefined);
  return events;
}

test('a session stream reopened with Last-Event-ID mid-turn gets exactly what it missed, once, in order; an unknown cursor is 409', () =>
  withGateway(async (g) => {
    const base = `${g.url}/acp/demo`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const post = (body: unknown, extra: Record<string, string> = {}) =>
      fetch(base, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) });
    const init = await post({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: 1, clientCapabilities: {} } });
    const conn = init.headers.get('acp-connection-id')!;
    const connStream = await fetch(base, { headers: { ...auth, accept: 'text/event-stream', 'acp-connection-id': conn } });
    assert.equal((await post({ jsonrpc: '2.0', id: 1, method: 'session/new', params: { cwd: '/x', mcpServers: [] } }, { 'acp-connection-id': conn })).status, 202);
    const created = await readEvents(connStream, (ev) => ev.some((e) => e.data.id === 1));
    const sid = created.find((e) => e.data.id === 1)!.data.result.sessionId as string;
    const open = (lastEventId?: string) =>
      fetch(base, { headers: { ...auth, accept: 'text/event-stream', 'acp-connection-id': conn, 'acp-session-id': sid, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } });

    // first stream: read a few chunks of a slow answer (a chunk every 100 ms for 4 s), then drop it mid-turn; the
    // prompt's response must come after the reconnect (responses carry no position and are not replayed)
    const first = await open();
    assert.equal((await post({ jsonrpc: '2.0', id: 2, method: 'session/prompt', params: { sessionId: sid, prompt: [{ type: 'text', text: '/slow 4' }] } }, { 'acp-connection-id': conn, 'acp-session-id': sid })).status, 202);
    const seen = await readEvents(first, (ev) => ev.filter((e) => e.data.method === 'session/update').length >= 5);
    const updatesSeen = seen.filter((e) => e.data.method === 'session/update');
    for (const e of updatesSeen) assert.equal(Number(e.id), e.data.params._meta['acp/cursor'], 'the SSE id is the log position');
    const last = updatesSeen[updatesSeen.length - 1]!.id!;

    // the client reconnects from the last id it saw: the rest of the turn, then the prompt's answer
    const second = await open(last);
    assert.equal(second.status, 200);
    const rest = await readEvents(second, (ev) => ev.some((e) => e.data.id === 2));
    const all = [...updatesSeen, ...rest.filter((e) => e.data.method === 'session/update')];
    const text = all.filter((e) => e.data.params.update.sessionUpdate === 'agent_message_chunk').map((e) => e.data.params.update.content.text).join('');
    const turnText = ((await (await fetch(`${g.url}/api/v1/sessions/${sid}/events?type=TurnEnded`, { headers: auth })).json()) as any).events[0].data.text as string;
    assert.ok(turnText.length > 20);
    assert.equal(text, turnText, 'every chunk once, in order');
    const ids = all.map((e) => Number(e.id));
    assert.deepEqual([...new Set(ids)], ids, 'no update twice');
    assert.deepEqual([...ids].sort((x, y) => x - y), ids, 'in log order');
    assert.equal(rest.find((e) => e.data.id === 2)!.data.result.stopReason, 'end_turn');

    // a cursor that is not a position of this session
    assert.equal((await open('999999')).status, 409);
    assert.equal((await open('abc')).status, 409);
  }));
