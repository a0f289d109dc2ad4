// A batch whose transaction fails (here: a trigger added behind the store's back makes SQLite abort an INSERT,
// as an I/O error or a full disk would) rejects every append of that batch, writes nothing of it, and leaves the
// store usable: the next batch continues the chain from what is really committed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { StoreWriteError } from '../../src/store/errors.js';
import { openTempStore } from './helpers.js';

test('a failing commit rejects the whole batch, writes nothing, and the store carries on', async (t) => {
  const reported: string[] = [];
  const { store, file } = openTempStore(t, { onError: (_e, context) => reported.push(context) });
  await store.appendToStream('session:a', 0, [{ type: 'A', data: 1 }, { type: 'A', data: 2 }, { type: 'A', data: 3 }]);
  const headBefore = store.readAll(0, 10).at(-1)!;
  const committed: number[][] = [];
  store.onCommitted((events) => committed.push(events.map((e) => e.position)));

  const saboteur = new Database(file);
  t.after(() => saboteur.close());
  saboteur.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.type = 'Poison'
                 BEGIN SELECT RAISE(ABORT, 'injected storage failure'); END`);

  // One batch: a new stream, then the poisoned append, then another good one, plus a checkpoint write.
  const attempts = [
    store.appendToStream('session:new', 0, [{ type: 'Created', data: {} }]),
    store.appendToStream('session:a', 3, [{ type: 'Poison', data: {} }]),
    store.appendToStream('session:a', 'any', [{ type: 'A', data: 4 }]),
  ];
  store.setCheckpoint('projection:x', 3);
  const flushed = store.flush();
  const outcomes = await Promise.allSettled([...attempts, flushed]);
  for (const o of outcomes) {
    assert.equal(o.status, 'rejected');
    assert.ok(o.reason instanceof StoreWriteError, String(o.reason));
    assert.match(o.reason.message, /injected storage failure/);
    assert.match(String((o.reason.cause as Error).message), /injected storage failure/);
  }

  // Nothing of the batch is visible, in memory or on disk.
  assert.equal(store.headPosition(), 3);
  assert.equal(store.streamVersion('session:new'), 0);
  assert.equal(store.streamVersion('session:a'), 3);
  assert.deepEqual(store.listStreams().map((s) => s.streamId), ['session:a']);
  assert.deepEqual(store.readAll(0, 10).map((e) => e.position), [1, 2, 3]);
  assert.deepEqual(committed, [], 'no onCommitted call for a failed batch');
  assert.equal(store.getCheckpoint('projection:x'), 0, 'the side write went down with its batch');
  assert.ok(reported.some((c) => /lost with the failed batch/.test(c)), 'and that loss was reported');

  // The cause goes away: the store continues the chain from the real head.
  saboteur.exec('DROP TRIGGER poison');
  const next = await store.appendToStream('session:new', 0, [{ type: 'Created', data: {} }]);
  assert.ok(next.ok);
  assert.equal(next.firstPosition, 4);
  assert.equal(next.events[0]!.prevHash, headBefore.hash);
  assert.deepEqual(committed, [[4]]);
  assert.deepEqual(store.verifyChain(), { ok: true, checked: 4 });
});

test('while the failure persists every batch fails the same clear way, and the store recovers when it goes away', async (t) => {
  const { store, file } = openTempStore(t, { onError: () => undefined });
  await store.appendToStream('session:a', 0, [{ type: 'A', data: 1 }]);
  const saboteur = new Database(file);
  t.after(() => saboteur.close());
  // Every insert now fails, like a disk that has become read-only.
  saboteur.exec(`CREATE TRIGGER readonly BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk is read-only'); END`);
  for (let i = 0; i < 3; i++) {
    await assert.rejects(store.appendToStream('session:a', 'any', [{ type: 'A', data: i }]), (err: unknown) => {
      assert.ok(err instanceof StoreWriteError);
      assert.match(err.message, /commit of a batch of 1 append\(s\) failed: disk is read-only/);
      return true;
    });
  }
  saboteur.exec('DROP TRIGGER readonly');
  const r = await store.appendToStream('session:a', 1, [{ type: 'A', data: 2 }]);
  assert.ok(r.ok);
  assert.equal(r.firstPosition, 2);
  assert.equal(store.verifyChain().ok, true);
});
