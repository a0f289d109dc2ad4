// The LeaseManager against a real PostgreSQL: several managers (nodes) on one database. One winner per key, renewal
// in one statement, expiry and takeover (the epoch grows by one), a paused owner loses its lease, a restarted node
// claims its own leases with a new epoch, and the owner's advertised URL is found for forwarding.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { LeaseManager, type Lease, type LostReason } from '../../src/cluster/lease-manager.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { eventually } from '../helpers/poll.js';

const pools: pg.Pool[] = [];
after(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

async function database(): Promise<string> {
  return createTestDatabase('lease');
}

interface Node {
  leases: LeaseManager;
  lost: { lease: Lease; reason: LostReason }[];
  taken: Lease[];
}

async function node(url: string, nodeId: string, ttlMs = 400): Promise<Node> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined); // an idle connection dropped by the server (the unreachable-database test)
  pools.push(pool);
  const n: Node = { lost: [], taken: [], leases: undefined as never };
  n.leases = new LeaseManager({
    pool,
    nodeId,
    url: `http://${nodeId}.test:8050`,
    ttlMs,
    heartbeatMs: ttlMs / 4,
    onLost: (lease, reason) => n.lost.push({ lease, reason }),
    onTakeover: (leases) => void n.taken.push(...leases),
  });
  await n.leases.open();
  return n;
}

describe('LeaseManager on PostgreSQL', () => {
  it('a new key is acquired with epoch 1 by exactly one of three racing nodes; the others see the owner', async () => {
    const url = await database();
    const nodes = await Promise.all(['a', 'b', 'c'].map((id) => node(url, id, 30_000)));
    for (let i = 0; i < 10; i++) {
      const key = `session:${i}`;
      const results = await Promise.all(nodes.map((n) => n.leases.acquire(key)));
      const winners = results.filter((r) => r !== undefined);
      assert.equal(winners.length, 1, `one winner for ${key}`);
      assert.deepEqual(winners[0], { key, epoch: 1 });
      const winner = nodes[results.findIndex((r) => r !== undefined)]!;
      const owner = await nodes[0]!.leases.ownerOf(key);
      assert.equal(owner?.nodeId, winner.leases.nodeId);
      assert.equal(owner?.url, `http://${winner.leases.nodeId}.test:8050`);
      assert.equal(owner?.expired, false);
      for (const n of nodes) assert.equal(n.leases.holds(key) !== undefined, n === winner);
    }
    assert.equal(await nodes[0]!.leases.ownerOf('session:none'), undefined);
  });

  it('a heartbeat renews every held lease: a renewing owner keeps its leases past the TTL', async () => {
    const url = await database();
    const a = await node(url, 'a', 2000);
    const b = await node(url, 'b', 2000);
    await a.leases.acquire('session:1');
    await a.leases.acquire('session:2');
    a.leases.start();
    try {
      // wait on the database's clock for several TTLs to pass while a renews
      const t0 = await dbNow(url);
      await eventually(async () => (await dbNow(url)) - t0 > 5000, 30_000, 'several TTLs to pass');
      assert.deepEqual(await b.leases.sweep(), []);
      assert.deepEqual(a.leases.heldKeys().sort(), ['session:1', 'session:2']);
      assert.deepEqual(a.lost, []);
    } finally {
      await a.leases.stop();
    }
  });

  it('an expired lease is taken over once (epoch + 1) by one of several sweeping nodes, and the paused owner loses it', async () => {
    const url = await database();
    const a = await node(url, 'a', 300);
    const b = await node(url, 'b', 300);
    const c = await node(url, 'c', 300);
    assert.deepEqual(await a.leases.acquire('session:x'), { key: 'session:x', epoch: 1 });
    // a is "paused": it does not heartbeat; b and c sweep at the same time until one of them wins
    const taken = await eventually(async () => {
      const [fromB, fromC] = await Promise.all([b.leases.sweep(), c.leases.sweep()]);
      const all = [...fromB.map((l) => ['b', l] as const), ...fromC.map((l) => ['c', l] as const)];
      return all.length > 0 ? all : undefined;
    }, 10_000, 'the expired lease to be taken');
    assert.equal(taken.length, 1, 'one winner');
    const [winnerId, lease] = taken[0]!;
    assert.deepEqual(lease, { key: 'session:x', epoch: 2 });
    assert.equal((await a.leases.ownerOf('session:x'))?.nodeId, winnerId);
    // the old owner wakes up: its heartbeat does not renew the lease (taken), so it is lost at once
    assert.deepEqual(a.leases.holds('session:x'), { key: 'session:x', epoch: 1 });
    await a.leases.heartbeat();
    assert.equal(a.leases.holds('session:x'), undefined);
    assert.deepEqual(a.lost, [{ lease: { key: 'session:x', epoch: 1 }, reason: 'taken' }]);
    // and cannot take it back while the winner renews
    assert.equal(await a.leases.acquire('session:x'), undefined);
  });

  it('a node that stops renewing loses all its leases to the others, spread by the takeover batch', async () => {
    const url = await database();
    const a = await node(url, 'a', 300);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    const batched = (id: string) =>
      new LeaseManager({ pool, nodeId: id, url: `http://${id}`, ttlMs: 60_000, heartbeatMs: 15_000, takeoverBatch: 2 });
    const b = batched('b');
    const c = batched('c');
    await b.open();
    await c.open();
    for (let i = 0; i < 6; i++) await a.leases.acquire(`session:${i}`);
    await eventually(async () => (await b.ownerOf('session:5'))?.expired, 10_000, 'the leases to expire');
    const got = { b: [] as Lease[], c: [] as Lease[] };
    while (got.b.length + got.c.length < 6) {
      const [fb, fc] = await Promise.all([b.sweep(), c.sweep()]);
      assert.ok(fb.length <= 2 && fc.length <= 2, 'at most one batch per sweep');
      got.b.push(...fb);
      got.c.push(...fc);
    }
    const keys = [...got.b, ...got.c].map((l) => l.key).sort();
    assert.deepEqual(keys, [0, 1, 2, 3, 4, 5].map((i) => `session:${i}`), 'every lease taken exactly once');
    assert.ok([...got.b, ...got.c].every((l) => l.epoch === 2));
  });

  it('the background heartbeat reports a lost lease through onLost; the sweeper hands takeovers to onTakeover', async () => {
    const url = await database();
    const a = await node(url, 'a', 400);
    const b = await node(url, 'b', 400);
    await a.leases.acquire('pipeline:p1');
    // a misses its renewals (paused), b's sweeper runs in the background and takes the lease over
    b.leases.start();
    try {
      await eventually(() => b.taken.length > 0, 10_000, 'b to take the lease');
      assert.deepEqual(b.taken, [{ key: 'pipeline:p1', epoch: 2 }]);
      assert.deepEqual(b.leases.holds('pipeline:p1'), { key: 'pipeline:p1', epoch: 2 });
      a.leases.start();
      await eventually(() => a.lost.length > 0, 10_000, 'a to notice');
      assert.deepEqual(a.lost, [{ lease: { key: 'pipeline:p1', epoch: 1 }, reason: 'taken' }]);
      // b keeps it: its heartbeats renew it
      const t0 = await dbNow(url);
      await eventually(async () => (await dbNow(url)) - t0 > 1200, 20_000, 'several TTLs to pass');
      assert.deepEqual(b.leases.holds('pipeline:p1'), { key: 'pipeline:p1', epoch: 2 });
      assert.deepEqual(b.lost, []);
    } finally {
      await a.leases.stop();
      await b.leases.stop();
    }
  });

  it('a restarted node claims the leases its previous process held, with epoch + 1', async () => {
    const url = await database();
    const first = await node(url, 'a', 30_000);
    await first.leases.acquire('session:1');
    await first.leases.acquire('review:r1');
    const again = await node(url, 'a', 30_000);
    const claimed = await again.leases.claimOwn();
    assert.deepEqual(claimed.sort((x, y) => x.key.localeCompare(y.key)), [
      { key: 'review:r1', epoch: 2 },
      { key: 'session:1', epoch: 2 },
    ]);
    // the previous process (same node id, old epoch) is fenced: its renewal does not match the epoch
    await first.leases.heartbeat();
    assert.deepEqual(first.leases.heldKeys(), []);
    assert.equal(first.lost.length, 2);
  });

  it('release deletes the row; releaseAll lets the other nodes take every lease at once', async () => {
    const url = await database();
    const a = await node(url, 'a', 30_000);
    const b = await node(url, 'b', 30_000);
    await a.leases.acquire('session:1');
    await a.leases.acquire('session:2');
    await a.leases.release('session:1');
    assert.equal(await b.leases.ownerOf('session:1'), undefined);
    assert.deepEqual(await b.leases.acquire('session:1'), { key: 'session:1', epoch: 1 });
    await a.leases.releaseAll();
    assert.deepEqual(await b.leases.sweep(), [{ key: 'session:2', epoch: 2 }]);
  });

  it('a database that cannot be reached for a whole TTL loses every lease (another node may hold them)', async () => {
    const url = await database();
    const a = await node(url, 'a', 300);
    await a.leases.acquire('session:1');
    // the database stops taking connections and drops the node's: every heartbeat fails from now on
    const adminUrl = new URL(url);
    const name = adminUrl.pathname.slice(1);
    adminUrl.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await admin.end();
    await eventually(async () => {
      await a.leases.heartbeat();
      return a.lost.length > 0;
    }, 10_000, 'the lease to be counted lost');
    assert.deepEqual(a.lost, [{ lease: { key: 'session:1', epoch: 1 }, reason: 'unrenewed' }]);
  });
});

async function dbNow(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ ms: string }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms');
    return Number(r.rows[0]!.ms);
  } finally {
    await client.end();
  }
}
