// Several real gateways (`serve`'s startGateway) on one real PostgreSQL database run as a cluster: a node takes the
// lease of what it creates, any node serves reads and streams from the shared log, a command reaching a node that
// does not run the actor is forwarded to the one that does, a clean stop hands every lease over at once, a lost
// lease stops the actor (its appends are fenced), and a delete lets the lease go.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../helpers/postgres.js';
import { demoAgent, promptText, says, startTestGateway, TOKEN, type TestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';
import { readSse } from '../helpers/sse.js';
import { FencedError } from '../../src/store/errors.js';
import { Client, wsUrl } from '../helpers/ws-client.js';
import { connectSdkClient, textOf } from '../mcp/helpers.js';

const WAIT = 30_000;

describe('gateway nodes on one PostgreSQL database', () => {
  let url: string;
  let db: pg.Pool;
  const agentStore = join(mkdtempSync(join(tmpdir(), 'aix-nodes-agents-')), 'store');
  const nodes: TestGateway[] = [];

  const node = async (id: string) => {
    const g = await startTestGateway({
      // the agents of every node keep their sessions in one place (as agents with a shared home would): a session
      // taken over resumes its conversation on the new node's agent
      agents: { demo: demoAgent([], { max_sessions: 20, env: { DEMO_AGENT_STORE: agentStore } }) },
      permissions: { default: 'ask' },
      store: { kind: 'postgres', url },
      cluster: { node_id: id, lease_ttl_secs: 4, heartbeat_secs: 1 },
    });
    nodes.push(g);
    return g;
  };

  const lease = async (key: string) =>
    (await db.query<{ node_id: string; epoch: string }>('SELECT node_id, epoch FROM leases WHERE key = $1', [key])).rows[0];

  const create = async (g: TestGateway): Promise<string> => {
    const r = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };

  before(async () => {
    url = await createTestDatabase('nodes');
    db = new pg.Pool({ connectionString: url, max: 2 });
  });

  after(async () => {
    for (const g of nodes) await g.dispose().catch(() => undefined);
    await db?.end();
  });

  it('a session made on A holds its lease from its first event; B forwards its prompt and streams it with the same cursor', async () => {
    const a = await node('a');
    const b = await node('b');
    const id = await create(a);
    assert.deepEqual(await lease(`session:${id}`), { node_id: 'a', epoch: '1' });
    // every append of the session carried A's fence: it exists on record from its first event
    assert.equal(a.gw.store.readStream(`session:${id}`, 1, 1)[0]?.type, 'SessionCreated');

    // B reads it from the shared log
    const read = await eventually(async () => {
      const r = await b.api('GET', `/api/v1/sessions/${id}`);
      return r.status === 200 ? r : undefined;
    }, WAIT, 'B to know the session');
    assert.equal(read.body.id, id);
    assert.ok((await b.api('GET', '/api/v1/sessions')).body.some((s: { id: string }) => s.id === id), 'B lists it');

    // a prompt sent to B runs on A (A's agent answers)
    assert.equal(await promptText(b, id, 'hello from b'), 'echo: hello from b');
    const prompts = a.gw.store.readStream(`session:${id}`).filter((e) => e.type === 'PromptSubmitted');
    assert.equal(prompts.length, 1);

    // the session's SSE on B and on A from the same cursor: the same events, the same ids
    const cursor = prompts[0]!.position - 1;
    const until = (g: TestGateway) =>
      readSse(`${g.url}/api/v1/sessions/${id}/events?after=${cursor}&follow=false`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' } });
    await eventually(() => b.gw.store.headPosition() >= a.gw.store.headPosition(), WAIT, 'B to catch up');
    const [onA, onB] = await Promise.all([until(a), until(b)]);
    const ids = (r: { frames: { id?: number }[] }) => r.frames.map((f) => f.id).filter((x) => x !== undefined);
    assert.ok(ids(onA).length > 2);
    assert.deepEqual(ids(onB), ids(onA));
  });

  it('an approval of A\'s session is decided through B', async () => {
    const a = nodes[0]!;
    const b = nodes[1]!;
    const id = await create(a);
    const turn = b.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission execute make build'));
    const pending = await eventually(async () => {
      const r = await b.api('GET', `/api/v1/approvals?session_id=${id}`);
      return r.body.length === 1 ? r.body[0] : undefined;
    }, WAIT, 'the pending approval on B');
    const decided = await b.api('POST', `/api/v1/approvals/${pending.approval_id}`, { decision: 'allow_once' });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.session_id, id);
    assert.equal((await turn).body.text, 'permission: selected allow');
  });

  it('prompt, cancel and approve over B\'s WebSocket act on A\'s session; the socket streams it from B\'s log', async () => {
    const a = nodes[0]!;
    const b = nodes[1]!;
    const id = await create(a);
    await eventually(async () => (await b.api('GET', `/api/v1/sessions/${id}`)).status === 200, WAIT, 'B to know the session');
    const c = await Client.connect(wsUrl(b, `/api/v1/sessions/${id}/stream`), { authorization: `Bearer ${TOKEN}` });
    try {
      c.send({ type: 'prompt', messages: [{ type: 'text', text: 'hello socket' }] });
      const ack = await c.waitFor((m) => m.type === 'ack', WAIT);
      assert.deepEqual([ack.data.for, ack.data.turn], ['prompt', 1]);
      const done = await c.waitFor((m) => m.type === 'turn_complete', WAIT);
      assert.equal(done.data.text, 'echo: hello socket');

      c.send({ type: 'prompt', messages: [{ type: 'text', text: '/permission execute make release' }] });
      const request = await c.waitFor((m) => m.type === 'permission_request', WAIT);
      c.send({ type: 'approve', approval_id: request.data.approval_id, decision: 'reject_once', reason: 'not today' });
      const approved = await c.waitFor((m) => m.type === 'ack' && m.data.for === 'approve', WAIT);
      assert.equal(approved.data.decision, 'reject_once');
      assert.equal((await c.waitFor((m) => m.type === 'turn_complete' && m.data.turn === 2, WAIT)).data.text, 'permission: selected reject');

      c.send({ type: 'prompt', messages: [{ type: 'text', text: '/slow 30' }] });
      await c.waitFor((m) => m.type === 'session_update' && String(m.data.text).startsWith('slow'), WAIT);
      c.send({ type: 'cancel' });
      assert.equal((await c.waitFor((m) => m.type === 'ack' && m.data.for === 'cancel', WAIT)).data.cancelled, true);
      assert.equal((await c.waitFor((m) => m.type === 'turn_complete' && m.data.turn === 3, WAIT)).data.stop_reason, 'cancelled');
    } finally {
      c.ws.close();
    }
    // all of it was recorded by A, under the caller's own name
    const decided = a.gw.store.readStream(`session:${id}`).find((e) => e.type === 'PermissionDecided')!;
    assert.equal(decided.meta.principal, 'tester');
  });

  it('MCP tools on B act on A\'s session: acp_prompt answers from the log, acp_close_session closes it on A', async () => {
    const a = nodes[0]!;
    const b = nodes[1]!;
    const id = await create(a);
    await eventually(async () => (await b.api('GET', `/api/v1/sessions/${id}`)).status === 200, WAIT, 'B to know the session');
    const mcp = await connectSdkClient(b);
    try {
      const r = await mcp.client.callTool({ name: 'acp_prompt', arguments: { session_id: id, message: 'hello mcp' } });
      assert.equal(textOf(r), 'echo: hello mcp');
      const closed = await mcp.client.callTool({ name: 'acp_close_session', arguments: { session_id: id } });
      assert.equal(textOf(closed), `Session ${id} closed.`);
    } finally {
      await mcp.close();
    }
    assert.ok(a.gw.store.readStream(`session:${id}`).some((e) => e.type === 'SessionClosed'));
    assert.equal(a.gw.store.readStream(`session:${id}`).filter((e) => e.type === 'PromptSubmitted').length, 1);
  });

  it('a delete sent to B closes the session on A and lets its lease go', async () => {
    const a = nodes[0]!;
    const b = nodes[1]!;
    const id = await create(a);
    await eventually(async () => (await b.api('GET', `/api/v1/sessions/${id}`)).status === 200, WAIT, 'B to know the session');
    const r = await b.api('DELETE', `/api/v1/sessions/${id}`);
    assert.ok(r.status < 300, JSON.stringify(r.body));
    assert.ok(a.gw.store.readStream(`session:${id}`).some((e) => e.type === 'SessionClosed'));
    await eventually(async () => (await lease(`session:${id}`)) === undefined, WAIT, 'the lease to be released');
    assert.equal((await b.api('GET', `/api/v1/sessions/${id}`)).body.status, 'closed');
  });

  it('a lost lease stops the actor on A at once (its appends are fenced); the node that takes it over goes on', async () => {
    const a = nodes[0]!;
    const id = await create(a);
    const key = `session:${id}`;
    await promptText(a, id, 'before');
    const actor = a.gw.runtime.get(key)!;
    const process = a.gw.sessions.actor(id).snapshot().context.process;
    const pid = process === null ? undefined : (a.gw.runtime.get(process)?.snapshot().context as { pid?: number } | undefined)?.pid;
    assert.ok(pid, 'the agent runs on A');
    // the database says another node holds it now (a node A cannot see): A's next heartbeat does not renew it
    await db.query("UPDATE leases SET node_id = 'elsewhere', epoch = epoch + 1, expires_at = now() + interval '1 hour' WHERE key = $1", [key]);
    await eventually(() => a.gw.runtime.get(key) !== actor, WAIT, 'A to stop the actor');
    await eventually(() => !alive(pid), WAIT, 'A to kill the agent process');
    // anything A's old actor still tried to append is refused by the store
    await assert.rejects(actor.record([{ type: 'SessionFailed', data: { code: 'stale', message: 'a stale owner' } }]), (e: unknown) => e instanceof FencedError);
    assert.ok(!a.gw.store.readStream(key).some((e) => e.type === 'SessionFailed'));
    // the other node stops (its lease expires): a node takes the session over; the conversation goes on
    await db.query("UPDATE leases SET expires_at = now() - interval '1 second' WHERE key = $1", [key]);
    await eventually(async () => (await lease(key))?.node_id !== 'elsewhere', WAIT, 'a node to take it over');
    const text = await promptText(nodes[1]!, id, '/history');
    assert.match(text, /1\. before/);
  });

  it('A stops cleanly: B takes its leases over at once and the next prompt through B has the conversation', async () => {
    const a = nodes[0]!;
    const b = nodes[1]!;
    const id = await create(a);
    assert.equal(await promptText(b, id, 'remember me'), 'echo: remember me');
    await a.close();
    await eventually(async () => (await lease(`session:${id}`))?.node_id === 'b', WAIT, 'B to take the lease');
    assert.equal((await lease(`session:${id}`))?.epoch, '2');
    const text = await promptText(b, id, '/history');
    assert.match(text, /1\. remember me/);
    assert.match(text, /2\. \/history/);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
