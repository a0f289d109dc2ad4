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

test('full batches queue behind the one committing: commits, announcements and answers keep the order of the appends', async (t) => {
  const { store } = openTempStore(t, { maxBatchEvents: 10 });
  const announced: number[] = [];
  store.onCommitted((events) => {
    assert.ok(events.length <= 10, `a batch of ${events.length}`);
    for (const e of events) announced.push(e.position);
  });
  const answered: number[] = [];
  const appends: Promise<unknown>[] = [];
  const versions = [0, 0, 0];
  for (let i = 0; i < 95; i++) {
    // a snapshot per ten appends: each lands in a different batch, and the newest stays readable throughout
    if (i % 10 === 0) store.saveSnapshot({ streamId: 'session:snap', streamPosition: i + 1, machineVersion: 'v1', snapshot: { i } });
    const s = i % 3;
    const expected = i === 42 ? 999 : versions[s]!; // one conflict in the middle: nothing written for it
    if (i !== 42) versions[s]! += 1;
    appends.push(
      store.appendToStream(`session:s${s}`, expected, [{ type: 'A', data: i }]).then((r) => {
        answered.push(i);
        if (r.ok) assert.ok(announced.includes(r.firstPosition), 'announced before it is answered');
        else assert.equal(i, 42);
        return r;
      }),
    );
    assert.equal((store.loadSnapshot('session:snap')?.snapshot as { i: number }).i, i - (i % 10));
  }
  const results = await Promise.all(appends);
  assert.deepEqual(answered, [...answered].sort((a, b) => a - b), 'answered in call order');
  assert.deepEqual(announced, Array.from({ length: 94 }, (_, i) => i + 1), 'announced once each, in position order');
  let position = 0;
  for (const r of results as { ok: boolean; firstPosition?: number }[]) if (r.ok) assert.equal(r.firstPosition, ++position, 'positions in call order');
  await store.flush();
  assert.equal(store.listSnapshots('session:').get('session:snap')?.streamPosition, 91);
  assert.deepEqual(store.verifyChain(), { ok: true, checked: 94 });
});

test('a writer thread that dies with several batches in flight fails each of them; what was answered ok is in the file', async (t) => {
  const { store, file } = openTempStore(t, { maxBatchEvents: 10, onError: () => undefined });
  const appends = Array.from({ length: 60 }, (_, i) => store.appendToStream(`session:s${i % 4}`, 'any', [{ type: 'A', data: i }]));
  await writerThreadOf(store)!.terminate();
  const outcomes = await Promise.allSettled(appends);
  const ok = outcomes.findIndex((o) => o.status === 'rejected');
  const okCount = ok === -1 ? outcomes.length : ok;
  for (const o of outcomes.slice(okCount)) {
    assert.equal(o.status, 'rejected', 'nothing answered ok after the first failure');
    assert.ok(o.reason instanceof StoreFailedError, String(o.reason));
  }
  await store.close().catch(() => undefined);
  const reopened = openEventStore({ path: file });
  assert.ok(reopened.headPosition() >= okCount, 'every append answered ok is in the file');
  assert.equal(reopened.verifyChain().ok, true);
  await reopened.close();
});
