// The writer thread (batch-committer.ts): commits leave the event loop, yet nothing is acknowledged before it is
// committed, writes queued beside events stay readable while their batch commits, a writer that dies fails every
// waiting append with a clear error instead of hanging, and an idle writer never keeps the process alive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { StoreFailedError } from '../../src/store/errors.js';
import { openEventStore, writerThreadOf } from '../../src/store/sqlite-event-store.js';
import { nextTurn, openTempStore, tempDir } from './helpers.js';

const leaveOpen = fileURLToPath(new URL('./fixtures/append-and-leave-open.js', import.meta.url));

test('an acknowledged append is in the database file when it resolves (another connection reads it)', async (t) => {
  const { store, file } = openTempStore(t);
  assert.ok(writerThreadOf(store), 'a store on a file commits on a writer thread');
  const other = new Database(file, { readonly: true });
  t.after(() => other.close());
  const count = other.prepare('SELECT count(*) FROM events').pluck();
  for (let i = 1; i <= 20; i++) {
    const r = await store.appendToStream('session:a', i - 1, [{ type: 'A', data: i }]);
    assert.ok(r.ok);
    assert.equal(count.get(), i);
    assert.equal(store.headPosition(), i);
  }
});

test('snapshots, timers, checkpoints and audit checkpoints stay readable from the call until their commit', async (t) => {
  const { store } = openTempStore(t);
  for (let i = 1; i <= 30; i++) {
    store.saveSnapshot({ streamId: 'session:s', streamPosition: i, machineVersion: 'v1', snapshot: { i } });
    store.setTimer({ streamId: 'session:s', timerId: `t${i}`, dueAt: i, event: { i } });
    store.setCheckpoint('projection:p', i);
    store.saveAuditCheckpoint({ seq: i, position: 1, hash: 'h'.repeat(64), at: i, keyId: 'k', mac: 'm'.repeat(64) });
    const append = store.appendToStream('session:s', 'any', [{ type: 'A', data: i }]);
    // before, during and after the commit (the batch goes to the writer on the next turn)
    for (let turn = 0; turn < 3; turn++) {
      assert.equal((store.loadSnapshot('session:s')?.snapshot as { i: number }).i, i);
      assert.equal(store.listSnapshots('session:').get('session:s')?.streamPosition, i);
      assert.equal(store.listTimers().length, i);
      assert.equal(store.getCheckpoint('projection:p'), i);
      assert.equal(store.lastAuditCheckpoint()?.seq, i);
      await nextTurn();
    }
    await append;
  }
  assert.throws(
    () => store.saveAuditCheckpoint({ seq: 30, position: 1, hash: 'h', at: 1, keyId: 'k', mac: 'm' }),
    /audit checkpoint seq 30 is not after the newest one \(30\)/,
  );
  await store.flush();
  assert.equal(store.lastAuditCheckpoint()?.seq, 30);
});

test('a writer thread that dies fails the appends waiting on it and every later write, and close() still returns', async (t) => {
  const errors: string[] = [];
  const { store, file } = openTempStore(t, { onError: (_e, context) => errors.push(context) });
  assert.ok((await store.appendToStream('session:a', 0, [{ type: 'A', data: 1 }])).ok);
  const waiting = Array.from({ length: 5 }, (_, i) => store.appendToStream('session:a', 'any', [{ type: 'A', data: i }]));
  await writerThreadOf(store)!.terminate();
  for (const outcome of await Promise.allSettled(waiting)) {
    assert.equal(outcome.status, 'rejected');
    assert.ok(outcome.reason instanceof StoreFailedError, String(outcome.reason));
    assert.match(outcome.reason.message, /writer thread exited.*reopen it/);
  }
  await assert.rejects(store.appendToStream('session:a', 'any', [{ type: 'A', data: 9 }]), StoreFailedError);
  await assert.rejects(store.flush(), StoreFailedError);
  assert.ok(errors.includes('event store writer thread died'), JSON.stringify(errors));
  assert.ok(store.headPosition() >= 1, 'reads still work');
  assert.equal(store.readAll(0, 1).length, 1);
  await assert.rejects(store.close(), StoreFailedError);
  // reopened, the store carries on from what was committed
  const reopened = openEventStore({ path: file });
  const head = reopened.headPosition();
  assert.ok((await reopened.appendToStream('session:a', 'any', [{ type: 'A', data: 10 }])).ok);
  assert.deepEqual(reopened.verifyChain(), { ok: true, checked: head + 1 });
  await reopened.close();
});

test('a store left open with nothing in flight does not keep the process alive', async (t) => {
  const file = path.join(tempDir(t), 'left-open.db');
  const child = spawn(process.execPath, [leaveOpen, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  // a guard, not a timed assertion: a child that hangs is killed so the failure is reported instead of the suite stalling
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  t.after(() => clearTimeout(guard));
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  assert.equal(signal, null, 'the child had to be killed: the open store kept it alive');
  assert.equal(code, 0, stderr);
  assert.equal(stdout, '1\n');
  const reopened = openEventStore({ path: file });
  assert.equal(reopened.headPosition(), 1);
  assert.deepEqual(reopened.verifyChain(), { ok: true, checked: 1 });
  await reopened.close();
});
