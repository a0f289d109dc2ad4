// Every append of a leased actor carries its fence: the lease key of its actor (a session's agent-process streams:
// their session's) and the epoch this node holds it at; a lease this node does not hold gives epoch 0, which no
// lease has, so the store refuses it. Without a cluster, appends carry no fence at all. Real leases on PostgreSQL,
// a real SQLite store under a real actor runtime; the store's append is observed, not replaced.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { openEventStore } from '../../src/store/index.js';
import type { AppendOptions, EventStore } from '../../src/store/types.js';
import { EventCatalogue } from '../../src/events/catalogue.js';
import { ActorRuntime } from '../../src/actors/runtime.js';
import type { ActorKind } from '../../src/actors/actor-kind.js';
import { silentLogger } from '../../src/log/logger.js';
import { LeaseManager } from '../../src/cluster/lease-manager.js';
import { StreamOwnership, leaseKeyOfActor } from '../../src/cluster/ownership.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { openPostgresEventStore } from '../../src/store/postgres/open-postgres-store.js';
import { FencedError } from '../../src/store/errors.js';
import { eventually } from '../helpers/poll.js';

const counter = setup({ types: { context: {} as { n: number }, events: {} as { type: 'Counted' } } }).createMachine({
  id: 'counter',
  context: { n: 0 },
  on: { Counted: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});
const kindOf = (streamType: string): ActorKind<typeof counter> => ({
  streamType,
  machine: counter,
  machineVersion: 'counter-1',
  foldedTypes: new Set(['Counted']),
});

const dirs: string[] = [];
const pools: pg.Pool[] = [];
after(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await Promise.all(pools.map((p) => p.end()));
});

/** A real store whose appends are observed (the options each append carried). */
function observedStore(): { store: EventStore; seen: { streamId: string; options: AppendOptions | undefined }[] } {
  const dir = mkdtempSync(join(tmpdir(), 'aix-fence-'));
  dirs.push(dir);
  const store = openEventStore({ path: join(dir, 'log.db') });
  const seen: { streamId: string; options: AppendOptions | undefined }[] = [];
  const append = store.appendToStream.bind(store);
  store.appendToStream = (streamId, expected, events, options) => {
    seen.push({ streamId, options });
    return append(streamId, expected, events, options);
  };
  return { store, seen };
}

function catalogue(): EventCatalogue {
  const c = new EventCatalogue();
  c.define('Counted', z.object({}));
  c.define('AgentProcessRequested', z.object({ session: z.string() }).passthrough());
  return c;
}

async function leases(nodeId: string): Promise<LeaseManager> {
  const pool = new pg.Pool({ connectionString: await createTestDatabase('fence'), max: 2 });
  pools.push(pool);
  const m = new LeaseManager({ pool, nodeId, url: 'http://127.0.0.1:1', ttlMs: 60_000, heartbeatMs: 20_000 });
  await m.open();
  return m;
}

describe('fences on appends', () => {
  it('the lease keys: leased kinds by their own stream, agent processes by their session, others none', () => {
    assert.equal(leaseKeyOfActor('session:s1'), 'session:s1');
    assert.equal(leaseKeyOfActor('orchestration:o1'), 'orchestration:o1');
    assert.equal(leaseKeyOfActor('pipeline:p1'), 'pipeline:p1');
    assert.equal(leaseKeyOfActor('review:r1'), 'review:r1');
    assert.equal(leaseKeyOfActor('agent:demo:1'), undefined);
    assert.equal(leaseKeyOfActor('usage:x'), undefined);
  });

  it('a leased actor\'s appends carry {key, epoch}; its agent-process stream carries its session\'s; a lost lease gives epoch 0', async () => {
    const m = await leases('n1');
    const { store, seen } = observedStore();
    const ownership = new StreamOwnership(m, store);
    const runtime = new ActorRuntime({ store, catalogue: catalogue(), logger: silentLogger, fenceFor: (id, events) => ownership.fenceFor(id, events) });
    const sessionKind = kindOf('session');
    const agentKind = kindOf('agent');
    runtime.register(sessionKind);
    runtime.register(agentKind);

    assert.deepEqual(await m.acquire('session:s1'), { key: 'session:s1', epoch: 1 });
    const session = await runtime.create(sessionKind, 's1', [{ type: 'Counted', data: {} }]);
    await session.record([{ type: 'Counted', data: {} }]);
    const proc = await runtime.create(agentKind, 'demo:1', [{ type: 'AgentProcessRequested', data: { session: 's1' } }]);
    await proc.record([{ type: 'Counted', data: {} }]);
    assert.deepEqual(
      seen.map((s) => [s.streamId, s.options?.fence]),
      [
        ['session:s1', { key: 'session:s1', epoch: 1 }],
        ['session:s1', { key: 'session:s1', epoch: 1 }],
        ['agent:demo:1', { key: 'session:s1', epoch: 1 }],
        ['agent:demo:1', { key: 'session:s1', epoch: 1 }],
      ],
    );
    // a fresh node's ownership finds a process's session in the log (not in the appended events)
    assert.equal(new StreamOwnership(m, store).leaseKey('agent:demo:1'), 'session:s1');

    // the lease is released (lost): appends still go out, fenced with epoch 0, for the store to refuse
    await m.release('session:s1');
    await session.record([{ type: 'Counted', data: {} }]);
    assert.deepEqual(seen.at(-1)?.options?.fence, { key: 'session:s1', epoch: 0 });
    await store.close();
  });

  it('a single node (no cluster) appends with no fence', async () => {
    const { store, seen } = observedStore();
    const runtime = new ActorRuntime({ store, catalogue: catalogue(), logger: silentLogger });
    const sessionKind = kindOf('session');
    runtime.register(sessionKind);
    const a = await runtime.create(sessionKind, 's1', [{ type: 'Counted', data: {} }]);
    await a.record([{ type: 'Counted', data: {} }]);
    assert.deepEqual(seen.map((s) => s.options), [undefined, undefined]);
    await store.close();
  });

  it('a node restores only the streams it holds, arms only their timers, and relinquishes a stream whose lease moved', async () => {
    const { store } = observedStore();
    const first = new ActorRuntime({ store, catalogue: catalogue(), logger: silentLogger });
    const sessionKind = kindOf('session');
    first.register(sessionKind);
    for (const id of ['s1', 's2', 's3']) await first.create(sessionKind, id, [{ type: 'Counted', data: {} }]);
    const far = Date.now() + 3_600_000;
    for (const id of ['s1', 's2', 's3']) store.setTimer({ streamId: `session:${id}`, timerId: 't', dueAt: far, event: { type: 'Counted' } });
    first.stop();

    const mine = new Set(['session:s1', 'session:s3']);
    const node = new ActorRuntime({ store, catalogue: catalogue(), logger: silentLogger });
    node.register(sessionKind);
    const report = node.restoreAll((id) => mine.has(id));
    assert.equal(report.streams, 2);
    assert.equal(report.timers, 2);
    assert.deepEqual(node.list('session').map((a) => a.streamId).sort(), ['session:s1', 'session:s3']);
    node.relinquish('session:s3');
    assert.equal(node.get('session:s3'), undefined);
    assert.equal(node.timers.size, 1);
    // the stored timers stay for the node that takes the streams over
    assert.equal(store.listTimers().length, 3);
    node.stop();
    await store.close();
  });

  it('on the postgres store, a paused owner whose lease moved cannot append; the new owner goes on from the log', async () => {
    const url = await createTestDatabase('fenced');
    const dir = mkdtempSync(join(tmpdir(), 'aix-fenced-'));
    dirs.push(dir);
    const node = async (id: string) => {
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      pools.push(pool);
      const leases = new LeaseManager({ pool, nodeId: id, url: `http://${id}`, ttlMs: 60_000, heartbeatMs: 20_000 });
      const store = await openPostgresEventStore({ url, path: join(dir, `${id}.db`), nodeId: id, onError: () => undefined });
      await leases.open();
      const ownership = new StreamOwnership(leases, store);
      const runtime = new ActorRuntime({ store, catalogue: catalogue(), logger: silentLogger, fenceFor: (s, e) => ownership.fenceFor(s, e) });
      runtime.register(kindOf('session'));
      return { leases, store, runtime };
    };
    const a = await node('a');
    const b = await node('b');
    await a.leases.acquire('session:s1');
    const old = await a.runtime.create(kindOf('session'), 's1', [{ type: 'Counted', data: {} }]);
    await old.record([{ type: 'Counted', data: {} }]);

    // a is paused: its lease expires and b takes it over (epoch 2)
    await pool0(url).query("UPDATE leases SET expires_at = now() - interval '1 second' WHERE key = 'session:s1'");
    assert.deepEqual(await b.leases.sweep(), [{ key: 'session:s1', epoch: 2 }]);
    await eventually(() => b.store.streamVersion('session:s1') === 2, 10_000, 'b to see a\'s events');

    // a wakes up and appends with its old epoch: refused, nothing written
    await assert.rejects(old.record([{ type: 'Counted', data: {} }]), (e: unknown) => e instanceof FencedError);
    assert.equal(b.store.streamVersion('session:s1'), 2);

    // b restores the actor from the log and appends under epoch 2
    await b.store.refreshStreams?.(['session:s1']);
    const moved = b.runtime.restore<typeof counter>('session:s1');
    assert.equal(moved.snapshot().context.n, 2);
    await moved.record([{ type: 'Counted', data: {} }]);
    assert.equal(moved.snapshot().context.n, 3);
    await eventually(() => a.store.streamVersion('session:s1') === 3, 10_000, 'a to see b\'s event');
    a.runtime.stop();
    b.runtime.stop();
    await a.store.close();
    await b.store.close();
  });

  it('on the postgres store, an append racing a takeover in flight waits for it and is refused (the lease row is locked, not just read)', async () => {
    const url = await createTestDatabase('fencerace');
    const dir = mkdtempSync(join(tmpdir(), 'aix-fencerace-'));
    dirs.push(dir);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    const leasesA = new LeaseManager({ pool, nodeId: 'a', url: 'http://a', ttlMs: 60_000, heartbeatMs: 20_000 });
    const store = await openPostgresEventStore({ url, path: join(dir, 'a.db'), nodeId: 'a', onError: () => undefined });
    await leasesA.open();
    const ownership = new StreamOwnership(leasesA, store);
    const runtime = new ActorRuntime({ store, catalogue: catalogue(), logger: silentLogger, fenceFor: (s, e) => ownership.fenceFor(s, e) });
    runtime.register(kindOf('session'));
    await leasesA.acquire('session:s1');
    const actor = await runtime.create(kindOf('session'), 's1', [{ type: 'Counted', data: {} }]);

    // another node's takeover has updated the row (epoch 2) but not committed yet
    const takeover = await pool0(url).connect();
    await takeover.query('BEGIN');
    await takeover.query("UPDATE leases SET node_id = 'b', epoch = epoch + 1 WHERE key = 'session:s1'");
    const append = actor.record([{ type: 'Counted', data: {} }]);
    const outcome = append.then(() => 'committed', (e: unknown) => (e instanceof FencedError ? 'fenced' : `failed: ${(e as Error).message}`));
    // the append's commit waits on the lease row (a plain read would have committed under epoch 1 by now)
    await eventually(async () => {
      const r = await takeover.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%aintegrix_commit%'");
      return r.rows[0].n === 1;
    }, 10_000, 'the append to wait on the lease row');
    await takeover.query('COMMIT');
    takeover.release();
    assert.equal(await outcome, 'fenced');
    assert.equal(store.streamVersion('session:s1'), 1, 'nothing of the stale owner after the takeover');
    runtime.stop();
    await store.close();
  });
});

function pool0(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pools.push(pool);
  return pool;
}
