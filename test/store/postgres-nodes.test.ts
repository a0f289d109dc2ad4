// The postgres store as several gateway nodes see it: two PostgresEventStore instances (two nodes, each with its
// own mirror) on one database. Each sees the other's commits in global order, also after its LISTEN connection
// was killed; expected versions and fences are checked across nodes; a mirror that was lost or tampered with is
// rebuilt at open; the chain verifies on every node; the schema is versioned.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { FencedError, SchemaVersionError } from '../../src/store/errors.js';
import { openPostgresEventStore } from '../../src/store/postgres/open-postgres-store.js';
import { PG_SCHEMA_VERSION } from '../../src/store/postgres/schema.js';
import type { EventStore, RecordedEvent } from '../../src/store/types.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { eventually } from '../helpers/poll.js';
import { openNode, range, tempDir } from './helpers.js';

async function sql(t: { after(fn: () => unknown): void }, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.after(() => client.end());
  return client;
}

function seen(store: EventStore): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  store.onCommitted((batch) => events.push(...batch));
  return events;
}

test('two nodes: each sees the other\'s commits in global order (onCommitted and subscribe), one hash chain', async (t) => {
  const url = await createTestDatabase('nodes');
  const a = await openNode(t, url, { nodeId: 'a' });
  const b = await openNode(t, url, { nodeId: 'b' });
  const onA = seen(a);
  const onB = seen(b);
  const subscribed: number[] = [];
  const sub = b.subscribe(0, (events) => subscribed.push(...events.map((e) => e.position)));
  t.after(() => sub.close());
  // interleaved writers on both nodes, several appends per turn
  for (let round = 0; round < 20; round++) {
    await Promise.all([
      a.appendToStream(`session:a${round % 3}`, 'any', [{ type: 'FromA', data: { round } }]),
      b.appendToStream(`session:b${round % 2}`, 'any', [{ type: 'FromB', data: { round } }, { type: 'FromB', data: { round, n: 2 } }]),
      a.appendToStream('session:shared', 'any', [{ type: 'FromA', data: { round } }]),
    ]);
  }
  const total = 20 * 4;
  await eventually(() => a.headPosition() === total && b.headPosition() === total, 10_000, 'both mirrors at the head');
  await eventually(() => subscribed.length === total, 10_000, 'the subscription on b');
  assert.deepEqual(onA.map((e) => e.position), range(1, total), 'a heard every position once, in order');
  assert.deepEqual(onB.map((e) => e.position), range(1, total), 'b heard every position once, in order');
  assert.deepEqual(subscribed, range(1, total));
  assert.deepEqual(onA.map((e) => e.hash), onB.map((e) => e.hash), 'the same chain on both nodes');
  assert.deepEqual(a.readAll(0, 1000).map((e) => [e.position, e.streamId, e.streamPosition, e.dataText, e.hash]),
    b.readAll(0, 1000).map((e) => [e.position, e.streamId, e.streamPosition, e.dataText, e.hash]));
  assert.equal(b.streamVersion('session:shared'), 20);
  assert.deepEqual(b.listStreams().map((s) => s.streamId), a.listStreams().map((s) => s.streamId));
  assert.deepEqual(a.verifyChain(), { ok: true, checked: total });
  assert.deepEqual(b.verifyChain(), { ok: true, checked: total });
});

test('a node whose LISTEN connection is killed catches up from the table: no gap, no duplicate', async (t) => {
  const url = await createTestDatabase('listen');
  const a = await openNode(t, url, { nodeId: 'a' });
  const lost: string[] = [];
  // no poll: the reconnect must catch up
  const b = await openNode(t, url, { nodeId: 'b', pollMs: 60_000, onError: (_e, context) => lost.push(context) });
  const onB = seen(b);
  await a.appendToStream('session:x', 'any', [{ type: 'Before', data: 1 }]);
  await eventually(() => b.headPosition() === 1, 5000, 'b to hear the first commit');
  const admin = await sql(t, url);
  const killed = await admin.query(
    "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'aintegrix-listen:b'",
  );
  assert.equal(killed.rows.length, 1, 'b had one LISTEN connection');
  for (let i = 0; i < 30; i++) await a.appendToStream('session:x', 'any', [{ type: 'While', data: i }]);
  await eventually(() => b.headPosition() === 31, 10_000, 'b to catch up after its reconnect');
  assert.deepEqual(onB.map((e) => e.position), range(1, 31));
  assert.ok(lost.some((c) => /LISTEN connection lost/.test(c)), 'the loss was reported');
  // and it listens again: a new commit reaches it
  await a.appendToStream('session:x', 'any', [{ type: 'After', data: 1 }]);
  await eventually(() => b.headPosition() === 32, 10_000, 'the next commit');
  assert.deepEqual(onB.map((e) => e.position), range(1, 32));
});

test('expected versions are checked across nodes: the second writer of a version conflicts', async (t) => {
  const url = await createTestDatabase('conflict');
  const a = await openNode(t, url, { nodeId: 'a' });
  const b = await openNode(t, url, { nodeId: 'b' });
  assert.ok((await a.appendToStream('session:c', 0, [{ type: 'Created', data: {} }])).ok);
  await eventually(() => b.streamVersion('session:c') === 1, 5000, 'b to see version 1');
  const [ra, rb] = await Promise.all([
    a.appendToStream('session:c', 1, [{ type: 'ByA', data: {} }]),
    b.appendToStream('session:c', 1, [{ type: 'ByB', data: {} }]),
  ]);
  assert.equal([ra, rb].filter((r) => r.ok).length, 1, 'exactly one node wins version 2');
  const lost = ra.ok ? rb : ra;
  assert.deepEqual(lost.ok ? undefined : [lost.reason, lost.expected, lost.actual], ['conflict', 1, 2]);
  // a stale node conflicts even before it has heard of the other's commit
  const stale = await (ra.ok ? b : a).appendToStream('session:c', 0, [{ type: 'Again', data: {} }]);
  assert.equal(stale.ok, false);
  await eventually(() => a.headPosition() === 2 && b.headPosition() === 2, 5000, 'both at the head');
  assert.deepEqual(a.readStream('session:c').map((e) => e.type), ['Created', ra.ok ? 'ByA' : 'ByB']);
});

test('a fenced append is refused unless this node holds the lease at that epoch; the rest of its batch commits', async (t) => {
  const url = await createTestDatabase('fence');
  const a = await openNode(t, url, { nodeId: 'a' });
  const b = await openNode(t, url, { nodeId: 'b' });
  const admin = await sql(t, url);
  await admin.query("INSERT INTO leases (key, node_id, epoch, expires_at) VALUES ('session:s', 'a', 1, now() + interval '1 minute')");
  const ok = await a.appendToStream('session:s', 0, [{ type: 'Owned', data: {} }], { fence: { key: 'session:s', epoch: 1 } });
  assert.ok(ok.ok);
  // b takes the lease over (epoch 2): a, paused with epoch 1, can no longer write; b can
  await admin.query("UPDATE leases SET node_id = 'b', epoch = 2 WHERE key = 'session:s'");
  const [fenced, other] = await Promise.allSettled([
    a.appendToStream('session:s', 1, [{ type: 'Stale', data: {} }], { fence: { key: 'session:s', epoch: 1 } }),
    a.appendToStream('session:other', 0, [{ type: 'Unfenced', data: {} }]),
  ]);
  assert.equal(fenced.status, 'rejected');
  assert.ok(fenced.status === 'rejected' && fenced.reason instanceof FencedError);
  assert.match(String(fenced.reason.message), /lease session:s epoch 1 .*held by b at epoch 2/);
  assert.equal(other.status, 'fulfilled', 'the other append of the batch committed');
  await assert.rejects(a.appendToStream('session:s', 'any', [{ type: 'X', data: {} }], { fence: { key: 'session:s', epoch: 2 } }), FencedError,
    'the right epoch from the wrong node');
  await assert.rejects(b.appendToStream('session:s', 'any', [{ type: 'X', data: {} }], { fence: { key: 'session:none', epoch: 1 } }), /no such lease/);
  const byB = await b.appendToStream('session:s', 1, [{ type: 'TakenOver', data: {} }], { fence: { key: 'session:s', epoch: 2 } });
  assert.ok(byB.ok);
  await eventually(() => a.headPosition() === 3, 5000, 'a to see b\'s append');
  assert.deepEqual(a.readStream('session:s').map((e) => e.type), ['Owned', 'TakenOver']);
  assert.deepEqual(a.verifyChain(), { ok: true, checked: 3 });
});

test('a mirror that was deleted, or tampered with at its head, is rebuilt from PostgreSQL at open', async (t) => {
  const url = await createTestDatabase('mirror');
  const file = path.join(tempDir(t), 'mirror.db');
  const reported: string[] = [];
  const open = () => openPostgresEventStore({ url, path: file, nodeId: 'a', onError: (_e, c) => reported.push(c) });
  const first = await open();
  for (let i = 0; i < 10; i++) await first.appendToStream(`session:${i % 2}`, 'any', [{ type: 'E', data: { i } }]);
  first.saveSnapshot({ streamId: 'session:0', streamPosition: 5, machineVersion: 'v1', snapshot: { n: 5 } });
  first.setTimer({ streamId: 'session:1', timerId: 't', dueAt: 123, event: { type: 'T' } });
  await first.flush();
  const expected = first.readAll(0, 100).map((e) => [e.position, e.hash]);
  await first.close();

  fs.rmSync(file);
  fs.rmSync(`${file}-wal`, { force: true });
  const second = await open();
  assert.deepEqual(second.readAll(0, 100).map((e) => [e.position, e.hash]), expected, 'rebuilt from the table');
  assert.deepEqual(second.loadSnapshot('session:0')?.snapshot, { n: 5 });
  assert.deepEqual(second.listTimers().map((x) => x.timerId), ['t']);
  await second.close();

  const db = new Database(file);
  db.prepare("UPDATE events SET data = '{\"i\":99}', hash = 'forged' WHERE position = 10").run();
  db.close();
  const third = await open();
  t.after(() => third.close());
  assert.ok(reported.some((c) => /does not match PostgreSQL at its head/.test(c)), reported.join('\n'));
  assert.deepEqual(third.readAll(0, 100).map((e) => [e.position, e.hash]), expected);
  assert.deepEqual(third.verifyChain(), { ok: true, checked: 10 });
  const next = await third.appendToStream('session:0', 5, [{ type: 'After', data: {} }]);
  assert.ok(next.ok);
  assert.equal(next.events[0]!.prevHash, expected.at(-1)![1]);
});

test('the schema is created once, recorded, and a database from a newer build is refused', async (t) => {
  const url = await createTestDatabase('schema');
  // two nodes opening a fresh database at the same time both succeed (the migration runs once, under a lock)
  const [a, b] = await Promise.all([openNode(t, url, { nodeId: 'a' }), openNode(t, url, { nodeId: 'b' })]);
  await a.close();
  await b.close();
  const admin = await sql(t, url);
  const versions = (await admin.query('SELECT version FROM aintegrix_schema ORDER BY version')).rows.map((r) => r.version);
  assert.deepEqual(versions, Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1), 'each migration once, in order');
  await admin.query("INSERT INTO aintegrix_schema (version, description) VALUES ($1, 'from the future')", [PG_SCHEMA_VERSION + 1]);
  await assert.rejects(openPostgresEventStore({ url, path: path.join(tempDir(t), 'm.db') }), SchemaVersionError);
});

test('snapshots and timers written by another node are read after refreshStreams', async (t) => {
  const url = await createTestDatabase('refresh');
  const a = await openNode(t, url, { nodeId: 'a' });
  const b = await openNode(t, url, { nodeId: 'b' });
  await a.appendToStream('session:r', 0, [{ type: 'A', data: {} }]);
  a.saveSnapshot({ streamId: 'session:r', streamPosition: 1, machineVersion: 'v', snapshot: { by: 'a' } });
  a.setTimer({ streamId: 'session:r', timerId: 'due', dueAt: 5, event: { type: 'DUE' } });
  await a.flush();
  assert.equal(b.loadSnapshot('session:r'), undefined, 'not copied by itself');
  await b.refreshStreams!(['session:r']);
  assert.deepEqual(b.loadSnapshot('session:r')?.snapshot, { by: 'a' });
  assert.deepEqual(b.listTimers().map((x) => [x.streamId, x.timerId]), [['session:r', 'due']]);
  assert.equal(b.streamVersion('session:r'), 1);
});
