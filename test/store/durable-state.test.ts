// Snapshots, timers and checkpoints: queued with the writer, visible at once, durable after flush, kept across a
// reopen (both stores). SQLite only: schema versions (a file from a newer build is refused; the postgres schema is
// tested in postgres-nodes.test.ts), and WAL checkpoints happen when the writer is idle.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SchemaVersionError } from '../../src/store/errors.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { openEventStore } from '../../src/store/sqlite-event-store.js';
import { STORE_KINDS, openTempStore, openTestStore, tempDir } from './helpers.js';
import { eventually } from '../helpers/poll.js';

for (const kind of STORE_KINDS) test(`${kind}: snapshots, timers and checkpoints are visible at once and survive a reopen`, async (t) => {
  const { store, reopen } = await openTestStore(t, kind);
  await store.appendToStream('session:a', 0, [{ type: 'A', data: 1 }, { type: 'B', data: 2 }]);

  const state = { value: 'waiting', context: { n: 2 } };
  store.saveSnapshot({ streamId: 'session:a', streamPosition: 1, machineVersion: 'session@1', snapshot: { old: true } });
  store.saveSnapshot({ streamId: 'session:a', streamPosition: 2, machineVersion: 'session@1', snapshot: state });
  state.context.n = 99; // serialised at call time
  store.setTimer({ streamId: 'session:a', timerId: 'turn-timeout', dueAt: 2_000, event: { type: 'TIMEOUT' } });
  store.setTimer({ streamId: 'session:b', timerId: 'approval', dueAt: 1_000, event: { type: 'EXPIRE', id: 7 } });
  store.setTimer({ streamId: 'session:b', timerId: 'gone', dueAt: 500, event: {} });
  store.clearTimer('session:b', 'gone');
  store.setCheckpoint('projection:sessions', 1);
  store.setCheckpoint('projection:sessions', 2);

  // read-your-writes before anything is committed
  assert.deepEqual(store.loadSnapshot('session:a'), {
    streamId: 'session:a', streamPosition: 2, machineVersion: 'session@1', snapshot: { value: 'waiting', context: { n: 2 } },
  });
  assert.deepEqual(store.listTimers().map((x) => x.timerId), ['approval', 'turn-timeout']);
  assert.equal(store.getCheckpoint('projection:sessions'), 2);
  assert.equal(store.getCheckpoint('projection:unknown'), 0);
  assert.equal(store.loadSnapshot('session:none'), undefined);

  await store.flush();
  await store.close();

  const reopened = await reopen();
  assert.deepEqual(reopened.loadSnapshot('session:a'), {
    streamId: 'session:a', streamPosition: 2, machineVersion: 'session@1', snapshot: { value: 'waiting', context: { n: 2 } },
  });
  assert.deepEqual(reopened.listTimers(), [
    { streamId: 'session:b', timerId: 'approval', dueAt: 1_000, event: { type: 'EXPIRE', id: 7 } },
    { streamId: 'session:a', timerId: 'turn-timeout', dueAt: 2_000, event: { type: 'TIMEOUT' } },
  ]);
  assert.equal(reopened.getCheckpoint('projection:sessions'), 2);

  reopened.clearTimer('session:a', 'turn-timeout');
  reopened.setTimer({ streamId: 'session:b', timerId: 'approval', dueAt: 3_000, event: { type: 'EXPIRE', id: 8 } });
  assert.deepEqual(reopened.listTimers().map((x) => [x.timerId, x.dueAt]), [['approval', 3_000]]);
  await reopened.flush();
  assert.deepEqual(reopened.listTimers().map((x) => [x.timerId, x.dueAt]), [['approval', 3_000]]);
});

for (const kind of STORE_KINDS) test(`${kind}: side writes commit on their own soon, without an append or a flush`, async (t) => {
  const { store, file, url } = await openTestStore(t, kind);
  store.setCheckpoint('p', 5);
  let stored: () => Promise<number | undefined>;
  if (url === undefined) {
    const reader = new Database(file, { readonly: true });
    t.after(() => reader.close());
    stored = async () => reader.prepare('SELECT position FROM checkpoints WHERE processor_id = ?').pluck().get('p') as number | undefined;
  } else {
    // the authority, not the node's mirror (which has it at once)
    const reader = new pg.Client({ connectionString: url });
    await reader.connect();
    t.after(() => reader.end());
    stored = async () => {
      const r = await reader.query<{ position: string }>('SELECT position FROM pg_checkpoints WHERE processor_id = $1', ['p']);
      return r.rows[0] === undefined ? undefined : Number(r.rows[0].position);
    };
  }
  if (kind === 'sqlite') assert.equal(await stored(), undefined);
  await eventually(async () => (await stored()) === 5, 5000, 'the checkpoint row');
});

for (const kind of STORE_KINDS) test(`${kind}: side writes are checked at call time`, async (t) => {
  const { store } = await openTestStore(t, kind);
  assert.throws(() => store.setCheckpoint('', 1), /processorId/);
  assert.throws(() => store.setCheckpoint('p', -1), /position/);
  assert.throws(() => store.setTimer({ streamId: 'nope', timerId: 't', dueAt: 1, event: {} }), /stream id/);
  assert.throws(() => store.setTimer({ streamId: 'session:a', timerId: 't', dueAt: 1, event: undefined }), /JSON/);
  assert.throws(() => store.saveSnapshot({ streamId: 'session:a', streamPosition: 1, machineVersion: '', snapshot: {} }), /machineVersion/);
});

test('a fresh database records the schema version; a newer one is refused clearly', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'schema.db');
  const store = openEventStore({ path: file });
  await store.appendToStream('session:a', 0, [{ type: 'A', data: 1 }]);
  await store.close();

  const db = new Database(file);
  assert.equal(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get(), SCHEMA_VERSION);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'from the future', Date.now());
  db.close();

  assert.throws(() => openEventStore({ path: file }), (err: unknown) => {
    assert.ok(err instanceof SchemaVersionError);
    assert.match(err.message, new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer than this build supports \\(${SCHEMA_VERSION}\\)`));
    return true;
  });
  // Refusing must not have touched the file (and must have released it).
  const check = new Database(file);
  assert.equal(check.prepare('SELECT count(*) FROM events').pluck().get(), 1);
  check.close();
});

test('sqlite: reopening an up-to-date database applies no migration again', async (t) => {
  const { store, file } = openTempStore(t);
  await store.close();
  const second = openEventStore({ path: file });
  await second.close();
  const db = new Database(file, { readonly: true });
  assert.equal(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get(), SCHEMA_VERSION);
  db.close();
});

test('the WAL is checkpointed into the database file once the writer is idle', async (t) => {
  const { store, file } = openTempStore(t, { checkpointIdleMs: 1000 });
  const big = 'x'.repeat(2000);
  // Small batches, each awaited: every commit refreshes the idle timer, and no turn of the event loop is long
  // (Node measures timer starts from the turn's start, so one long turn could let the timer fire at once).
  for (let round = 0; round < 20; round++) {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) pending.push(store.appendToStream(`session:${i % 10}`, 'any', [{ type: 'Big', data: { i, big } }]));
    await Promise.all(pending);
  }
  // With wal_autocheckpoint=0 the pages sit in the WAL until our checkpoint copies them into the main file.
  const mainSize = () => fs.statSync(file).size;
  assert.ok(mainSize() < 1_000_000, `main file already ${mainSize()} bytes before any checkpoint`);
  await eventually(() => mainSize() > 2_000_000, 10_000, 'the idle checkpoint to fill the main file');
});

test('under constant load the WAL is checkpointed every few MiB, so its file is reused rather than grown', async (t) => {
  const { store, file } = openTempStore(t, { checkpointIdleMs: 60_000 }); // no idle moment: only the forced checkpoints
  const big = 'y'.repeat(8000);
  for (let round = 0; round < 60; round++) {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) pending.push(store.appendToStream(`session:${i % 10}`, 'any', [{ type: 'Big', data: { i, big } }]));
    await Promise.all(pending);
  }
  // 24 MB went through the WAL; the main file has most of it, the WAL file stays near its 4 MiB working size
  const walSize = fs.statSync(`${file}-wal`).size;
  assert.ok(walSize < 10_000_000, `the WAL grew to ${walSize} bytes`);
  assert.ok(fs.statSync(file).size > 15_000_000, 'the checkpoints copied the log into the main file');
});
