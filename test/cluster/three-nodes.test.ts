// Three real `aintegrix serve` nodes on one PostgreSQL database (test/helpers/cluster.ts). Sessions created on each
// node are owned there; every node lists and streams every session; a client streams (SSE with a cursor, and WS)
// from one node while another owns the session and prompts through a third. The owner is killed -9 mid-turn: its
// lease moves, the turn is `interrupted`, the next prompt (sent to any node) is answered by the new owner with the
// conversation intact, every event a client saw is in the log, and a stream cut by the kill resumes from its cursor
// on another node with no gap and no duplicate; the killed node comes back as the same node. An owner paused
// (SIGSTOP) past its lease loses its session to another node and, resumed, cannot append any more (its agent's
// output, buffered while it was paused, is not in the log). The audit chain verifies on every node.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientMessage } from '../../src/streams/client-messages.js';
import type { RecordedEvent } from '../../src/store/types.js';
import { eventually } from '../helpers/poll.js';
import { CLUSTER_TOKEN, type ClusterNode, type TestCluster, sessionLog, says, startCluster } from '../helpers/cluster.js';
import { readSse, type SseFrame } from '../helpers/sse.js';
import { Client } from '../helpers/ws-client.js';

const AUTH = { authorization: `Bearer ${CLUSTER_TOKEN}` };
/**
 * Is this logged event a chunk of a `/slow` turn coming from the agent (not its text quoted in a transcript that
 * primes a re-attached agent, or in a later `/history`)?
 */
function isSlowChunk(data: any): boolean {
  const update = data?.dir === 'in' && data.msg?.method === 'session/update' ? data.msg.params?.update : undefined;
  return update?.sessionUpdate === 'agent_message_chunk' && /^slow \d+\/\d+\n$/.test(update.content?.text ?? '');
}
/** generous: only bounds liveness (a lease moves after its TTL plus a sweep, on a loaded machine) */
const MOVE_MS = 90_000;

describe('three nodes on one PostgreSQL', () => {
  let cluster: TestCluster;
  let a: ClusterNode;
  let b: ClusterNode;
  let c: ClusterNode;
  const closers: Array<() => void> = [];

  before(async () => {
    // checkpoints every few events: each node signs some of them, and every node verifies them all
    cluster = await startCluster({ nodes: 3, checkpointEveryEvents: 25 });
    [a, b, c] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  });

  after(async () => {
    for (const close of closers) close();
    await cluster?.dispose();
  });

  /** a failure shows what the nodes said */
  function nodesSaid(): string {
    return cluster.nodes.map((n) => `--- ${n.id}\n${n.output().slice(-4000)}`).join('\n');
  }

  async function createOn(n: ClusterNode): Promise<string> {
    const r = await n.api('POST', '/api/v1/sessions', { agent: 'demo' });
    assert.equal(r.status, 201, `create on ${n.id}: ${JSON.stringify(r.body)}\n${nodesSaid()}`);
    return r.body.id as string;
  }

  async function prompt(n: ClusterNode, id: string, text: string): Promise<{ text: string; turn: number; position: number }> {
    const r = await n.api('POST', `/api/v1/sessions/${id}/prompt`, says(text));
    assert.equal(r.status, 200, `prompt ${JSON.stringify(text)} on ${n.id}: ${JSON.stringify(r.body)}\n${nodesSaid()}`);
    assert.equal(r.body.outcome, 'completed', JSON.stringify(r.body));
    return r.body;
  }

  /** the session as node `n` serves it, once `ok` holds there */
  async function sessionOn(n: ClusterNode, id: string, ok: (s: any) => boolean, what: string): Promise<any> {
    let last: unknown;
    try {
      return await eventually(async () => {
        const r = await n.api('GET', `/api/v1/sessions/${id}`);
        last = r.body;
        return r.status === 200 && ok(r.body) ? r.body : undefined;
      }, MOVE_MS, `${what} (on ${n.id})`);
    } catch (error) {
      // say what every node serves of it, its lease and the tail of its log, and what the nodes said
      const views = await Promise.all(cluster.live().map(async (x) => `${x.id}: ${JSON.stringify((await x.api('GET', `/api/v1/sessions/${id}`)).body)}`));
      const tail = (await sessionLog(n, id).catch(() => [])).slice(-12).map((e) => `${e.position} ${e.type} ${JSON.stringify(e.data).slice(0, 160)}`);
      throw new Error(`${(error as Error).message}\nlast: ${JSON.stringify(last)}\n${views.join('\n')}\nlease: ${JSON.stringify(await cluster.lease(`session:${id}`))}\nlog tail:\n${tail.join('\n')}\n${nodesSaid()}`);
    }
  }

  /** an SSE client of a session's log on node `n` from `after`, keeping every frame until stopped or cut */
  function followLog(n: ClusterNode, id: string, after: number, frames: SseFrame[], stop: (f: SseFrame) => boolean = () => false) {
    const done = readSse(
      `${n.url}/api/v1/sessions/${id}/events`,
      { headers: { ...AUTH, accept: 'text/event-stream', 'last-event-id': String(after) } },
      (f) => stop(f),
      (f) => frames.push(f),
    );
    return done.catch((e: unknown) => ({ status: 0, frames, ended: true, error: e }));
  }

  const frameEvent = (f: SseFrame) => JSON.parse(f.data) as { position: number; type: string; data: any };
  /** positions of the log events a WS client is sent (its client messages), from JSON pages of the log */
  const clientMessagePositions = (log: Array<{ position: number; type: string; data: unknown }>) =>
    log
      .filter((e) => clientMessage({ ...e, dataText: JSON.stringify(e.data) } as unknown as RecordedEvent) !== undefined)
      .map((e) => e.position);

  let spread: string[] = [];

  it('sessions created on each node are owned there, and every node lists and reads all of them', async () => {
    spread = [await createOn(a), await createOn(b), await createOn(c)];
    for (const [i, id] of spread.entries()) {
      const lease = await cluster.lease(`session:${id}`);
      assert.equal(lease?.nodeId, cluster.nodes[i]!.id, `session ${i} is owned where it was created`);
      assert.equal(lease?.epoch, 1);
    }
    for (const n of cluster.nodes) {
      await eventually(async () => {
        const r = await n.api('GET', '/api/v1/sessions');
        const ids = new Set((r.body?.sessions ?? r.body ?? []).map((s: { id: string }) => s.id));
        return spread.every((id) => ids.has(id));
      }, 30_000, `every session listed on ${n.id}`);
      for (const id of spread) await sessionOn(n, id, (s) => s.status === 'idle', `session ${id} readable`);
    }
  });

  it('a client streaming from node A (SSE from a cursor, and WS) sees a turn of a session owned by B, prompted through C', async () => {
    const id = spread[1]!; // owned by b
    const cursor = await cluster.head();
    const sse: SseFrame[] = [];
    const sseDone = followLog(a, id, cursor, sse, (f) => frameEvent(f).type === 'TurnEnded');
    const ws = await Client.connect(`${a.url.replace('http://', 'ws://')}/api/v1/sessions/${id}/stream?after=${cursor}`, AUTH);
    closers.push(() => ws.ws.close());

    const answer = await prompt(c, id, '/chunks 12'); // c forwards it to b
    assert.equal((await cluster.lease(`session:${id}`))?.nodeId, b.id, 'still owned by b');
    await sseDone;
    const done = await ws.waitFor((m) => m.type === 'turn_complete' && m.data.turn === answer.turn, MOVE_MS);
    assert.equal(done.data.outcome, 'completed');

    const log = (await sessionLog(c, id)).filter((e) => e.position > cursor);
    const ssePositions = sse.map((f) => f.id);
    assert.deepEqual(ssePositions, log.filter((e) => e.position <= ssePositions.at(-1)!).map((e) => e.position), 'the SSE client got every event of the turn once, in order');
    const chunks = log.filter((e) => e.type === 'AcpMessage' && JSON.stringify(e.data).includes('agent_message_chunk'));
    assert.ok(chunks.length >= 12, `the turn's chunks are in the log (${chunks.length})`);
    const wsPositions = ws.messages.filter((m) => m.position !== undefined).map((m) => m.position!);
    assert.deepEqual(wsPositions, clientMessagePositions(log).filter((p) => p <= done.position!), 'the WS client got every client message once, in order');

    // a prompt over that socket of node A goes to the owner too, under the caller's token
    ws.send({ type: 'prompt', messages: [{ type: 'text', text: 'over the socket of a' }] });
    const ack = await ws.waitFor((m) => m.type === 'ack' && m.data.for === 'prompt', MOVE_MS);
    const socketTurn = await ws.waitFor((m) => m.type === 'turn_complete' && m.data.turn === ack.data.turn, MOVE_MS);
    assert.equal(socketTurn.data.text, 'echo: over the socket of a');
    const submitted = (await sessionLog(b, id)).find((e) => e.position === ack.data.position);
    assert.equal(submitted?.type, 'PromptSubmitted');
    assert.equal(submitted?.meta?.principal, 'tester', 'recorded under the caller\'s token name');
    assert.equal((await cluster.lease(`session:${id}`))?.nodeId, b.id, 'run by its owner');
    ws.ws.close();
  });

  it('kill -9 of an owner mid-turn: the lease moves, the turn is interrupted, the next prompt works on the new owner, the streams resume', async () => {
    const id = spread[1]!; // owned by b
    await prompt(b, id, 'remember cluster-alpha');
    const cursor = await cluster.head();

    // a client on the owner itself (its stream is cut by the kill) and a WS client on c (it follows the move)
    const seen: SseFrame[] = [];
    const cut = followLog(b, id, cursor, seen);
    const ws = await Client.connect(`${c.url.replace('http://', 'ws://')}/api/v1/sessions/${id}/stream?after=${cursor}`, AUTH);
    closers.push(() => ws.ws.close());
    // a slow streamed turn, prompted through a (forwarded to b)
    const turnStream = readSse(`${a.url}/api/v1/sessions/${id}/stream`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify(says('/slow 60')) }).catch(() => undefined);
    await eventually(() => seen.filter((f) => isSlowChunk(frameEvent(f).data)).length >= 3, 30_000, 'the slow turn streaming from b');

    await b.kill();
    await cut; // the stream from b ends with b
    await turnStream;
    assert.ok(seen.length > 0);

    const moved = await cluster.waitForLease(`session:${id}`, (l) => l.nodeId !== b.id, MOVE_MS, 'the lease moving off the killed node');
    assert.ok(moved.epoch > 1, `the epoch grew (${moved.epoch})`);
    const owner = cluster.node(moved.nodeId);
    const other = owner === a ? c : a;
    const s = await sessionOn(other, id, (x) => x.status === 'idle' && x.last_turn?.outcome === 'interrupted', 'the turn recorded interrupted');
    assert.equal(s.last_turn.outcome, 'interrupted');

    // the SSE client resumes from its cursor on a live node: the rest of the log, nothing twice, nothing skipped
    const lastSeen = seen.at(-1)!.id!;
    const resumed: SseFrame[] = [];
    const resumedDone = followLog(other, id, lastSeen, resumed, (f) => {
      const e = frameEvent(f);
      return e.type === 'TurnEnded' && e.data.outcome === 'completed';
    });

    // the next prompt, sent to the node that does not own the session, is answered by the new owner
    const history = await prompt(other, id, '/history');
    assert.match(history.text, /remember cluster-alpha/, 'the new owner\'s agent has the conversation');
    assert.equal((await cluster.lease(`session:${id}`))?.nodeId, owner.id);
    await resumedDone;
    await ws.waitFor((m) => m.type === 'turn_complete' && m.data.turn === history.turn, MOVE_MS);

    const log = (await sessionLog(owner, id)).filter((e) => e.position > cursor);
    const positions = [...seen, ...resumed].map((f) => f.id!);
    assert.deepEqual(positions, log.filter((e) => e.position <= positions.at(-1)!).map((e) => e.position),
      'what the client saw before the kill and after resuming on another node is the log, once, in order');
    for (const f of seen) assert.deepEqual(frameEvent(f), { ...log.find((e) => e.position === f.id) }, `event ${f.id} is in the log as streamed`);
    const interrupted = log.find((e) => e.type === 'TurnEnded' && e.data.outcome === 'interrupted');
    assert.ok(interrupted, 'the interrupted turn is in the log');

    // the WS client on c never noticed the move: every client message once, in order
    const wsPositions = ws.messages.filter((m) => m.position !== undefined).map((m) => m.position!);
    assert.deepEqual(wsPositions, clientMessagePositions(log).filter((p) => p <= wsPositions.at(-1)!));
    ws.ws.close();

    // the killed node comes back as the same node: it catches up, serves reads, forwards commands to the new owner
    await b.restart();
    await sessionOn(b, id, (x) => x.last_turn?.turn === history.turn, 'the restarted node caught up');
    const again = await prompt(b, id, 'after the restart');
    assert.match(again.text, /after the restart/);
    assert.equal((await cluster.lease(`session:${id}`))?.nodeId, owner.id, 'the restarted node did not take it back');
  });

  it('an owner paused past its lease loses its session; resumed, it cannot append any more', async () => {
    const id = await createOn(c);
    assert.equal((await cluster.lease(`session:${id}`))?.nodeId, c.id);
    await prompt(c, id, 'remember cluster-beta');
    // a slow turn on c; its agent goes on writing while c is paused, and c would record that output once resumed
    const ac = new AbortController();
    closers.push(() => ac.abort());
    void fetch(`${c.url}/api/v1/sessions/${id}/prompt`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify(says('/slow 30')), signal: ac.signal })
      .then((r) => r.text())
      .catch(() => undefined);
    await eventually(async () => (await sessionLog(a, id)).filter((e) => isSlowChunk(e.data)).length >= 3, 30_000, 'the slow turn in the log');

    c.pause();
    const moved = await cluster.waitForLease(`session:${id}`, (l) => l.nodeId !== c.id, MOVE_MS, 'the lease moving off the paused node');
    assert.equal(moved.epoch, 2);
    const owner = cluster.node(moved.nodeId);
    const other = owner === a ? b : a;
    await sessionOn(other, id, (x) => x.status === 'idle' && x.last_turn?.outcome === 'interrupted', 'the paused owner\'s turn recorded interrupted');
    const takeover = (await sessionLog(owner, id)).find((e) => e.type === 'TurnEnded' && e.data.outcome === 'interrupted')!.position;
    const history = await prompt(other, id, '/history');
    assert.match(history.text, /remember cluster-beta/);

    // c wakes up with its agent's buffered output and a lease it no longer holds
    const wokeAt = await cluster.dbNow();
    c.resume();
    await eventually(async () => ((await cluster.heartbeatAt(c.id)) ?? 0) > wokeAt, MOVE_MS, 'a heartbeat of the resumed node');
    // it did try: its appends for the session (its agent's output buffered during the pause, the agent leaving) were
    // refused by the fence
    await eventually(() => c.output().includes(`lease session:${id} epoch 1 is no longer this node's`), MOVE_MS, 'a fenced append of the resumed node');
    await sessionOn(c, id, (x) => x.last_turn?.turn === history.turn, 'the resumed node caught up');
    // a command sent to c now goes to the owner
    await prompt(c, id, 'after the pause');
    const lease = await cluster.lease(`session:${id}`);
    assert.deepEqual([lease?.nodeId, lease?.epoch], [owner.id, 2], 'the resumed node did not take the session back');
    assert.ok(c.running, `the fenced node is still up\n${c.output().slice(-3000)}`);

    // nothing of c's turn after the takeover: in the log of every node, and in PostgreSQL itself
    const late = await cluster.db.query<{ position: string; data_text: string }>(
      "SELECT position, data_text FROM pg_events WHERE position > $1 AND data_text LIKE '%slow %'",
      [takeover],
    );
    assert.deepEqual(late.rows.filter((r) => isSlowChunk(JSON.parse(r.data_text))).map((r) => Number(r.position)), [], 'no append of the old owner after the takeover');
    for (const n of cluster.live()) {
      const after = (await sessionLog(n, id)).filter((e) => e.position > takeover);
      assert.deepEqual(after.filter((e) => isSlowChunk(e.data)).map((e) => e.position), [], `nothing of the old turn on ${n.id}`);
    }
  });

  it('the audit chain verifies on every node, and every node serves the same log', async () => {
    const head = await cluster.head();
    for (const n of cluster.live()) {
      await eventually(async () => {
        const r = await n.api('GET', `/api/v1/sessions/${spread[0]}/events?after=0&limit=1`);
        return r.status === 200;
      }, 30_000, `${n.id} serving`);
      let last: unknown;
      const verify = await eventually(async () => {
        const r = await n.api('GET', '/api/v1/audit/verify');
        last = r.body;
        return r.status === 200 && r.body.ok === true && r.body.checked >= head ? r.body : undefined;
      }, 30_000, `the chain verified on ${n.id} up to ${head}`).catch((e: Error) => assert.fail(`${e.message}: ${JSON.stringify(last)}`));
      assert.equal(verify.ok, true);
      assert.ok(verify.checkpoints.count > 1, `signed checkpoints of several nodes checked: ${JSON.stringify(verify.checkpoints)}`);
    }
    for (const id of spread) {
      const logs = await Promise.all(cluster.live().map((n) => sessionLog(n, id)));
      for (const l of logs.slice(1)) assert.deepEqual(l, logs[0], `session ${id} is the same log on every node`);
    }
  });
});
