// The shared catch-up rule (store/catch-up-reader.ts) on a real store: a paused reader takes nothing live and
// resumes from the log, a rewind replays from the new position, and a failing read closes the reader and says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CatchUpReader } from '../../src/store/catch-up-reader.js';
import type { EventStore, RecordedEvent } from '../../src/store/types.js';
import { STORE_KINDS, nextTurn, openTestStore, range } from './helpers.js';
import { eventually } from '../helpers/poll.js';

function readerOn(store: EventStore, after: number, pageSize: number, onDeliver?: (events: readonly RecordedEvent[]) => void) {
  const seen: number[] = [];
  const errors: string[] = [];
  const reader = new CatchUpReader(
    {
      read: (position, limit) => store.readAll(position, limit),
      deliver: (events) => {
        seen.push(...events.map((e) => e.position));
        onDeliver?.(events);
      },
      onError: (_err, during) => errors.push(during),
    },
    after,
    pageSize,
  );
  const off = store.onCommitted((events) => reader.push(events));
  return { reader, seen, errors, off };
}

const append = (store: EventStore, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => store.appendToStream(`session:${i % 3}`, 'any', [{ type: 'A', data: i }])));

for (const kind of STORE_KINDS) test(`${kind}: a paused reader takes nothing live; resumed, it catches up from the log, each position once and in order`, async (t) => {
  const { store } = await openTestStore(t, kind);
  await append(store, 20);
  let pauseAt = 7;
  const r = readerOn(store, 0, 5, (events) => {
    if (events.at(-1)!.position >= pauseAt) {
      pauseAt = Infinity;
      r.reader.pause();
    }
  });
  r.reader.start();
  await eventually(() => r.reader.paused, 5000, 'the pause');
  const atPause = r.seen.length;
  await append(store, 10); // committed while paused: only noted
  await nextTurn();
  assert.equal(r.seen.length, atPause);
  r.reader.resume();
  await eventually(() => r.seen.length === 30, 5000, 'the catch-up after the pause');
  await append(store, 3); // live again
  await eventually(() => r.seen.length === 33, 5000, 'live events');
  assert.deepEqual(r.seen, range(1, 33));
  r.off();
});

for (const kind of STORE_KINDS) test(`${kind}: a rewind delivers again from the new position; close stops everything`, async (t) => {
  const { store } = await openTestStore(t, kind);
  await append(store, 12);
  const r = readerOn(store, 0, 100);
  r.reader.start();
  assert.deepEqual(r.seen, range(1, 12), 'the first page is read at start, in this turn');
  r.reader.rewind(8);
  await eventually(() => r.seen.length === 16, 5000, 'the rewind');
  assert.deepEqual(r.seen.slice(12), [9, 10, 11, 12]);
  r.reader.close();
  await append(store, 2);
  await nextTurn();
  assert.equal(r.seen.length, 16);
  assert.ok(r.reader.closed);
  r.off();
});

for (const kind of STORE_KINDS) test(`${kind}: a read that throws closes the reader and is reported once`, async (t) => {
  const { store } = await openTestStore(t, kind);
  await append(store, 3);
  const errors: string[] = [];
  const reader = new CatchUpReader(
    {
      read: () => {
        throw new Error('disk gone');
      },
      deliver: () => assert.fail('nothing to deliver'),
      onError: (err, during) => errors.push(`${during}: ${(err as Error).message}`),
    },
    0,
    10,
  );
  reader.start();
  assert.deepEqual(errors, ['read: disk gone']);
  assert.ok(reader.closed);
  reader.push(store.readAll(0, 3));
  assert.equal(errors.length, 1);
});
