// Optimistic concurrency: expected versions are checked in call order at commit time, against the stream's
// version including earlier appends of the same batch. A conflicting append writes nothing; the others commit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppendResult } from '../../src/store/types.js';
import { STORE_KINDS, nextTurn, openTestStore, range } from './helpers.js';

const ev = (n: number) => [{ type: 'Counted', data: { n } }];
const summary = (r: AppendResult) =>
  r.ok ? { ok: true, first: r.firstPosition, last: r.lastPosition, version: r.streamVersion } : { ok: false, expected: r.expected, actual: r.actual };

for (const kind of STORE_KINDS) test(`${kind}: same-tick appends: stale expected versions conflict, the rest commit in call order`, async (t) => {
  const { store } = await openTestStore(t, kind);
  const results = await Promise.all([
    store.appendToStream('session:s', 0, ev(1)), // creates the stream (version 1)
    store.appendToStream('session:s', 0, ev(2)), // stale: the stream exists now
    store.appendToStream('session:s', 1, [...ev(3), ...ev(4)]), // sees the first append of the batch
    store.appendToStream('session:s', 'exists', ev(5)),
    store.appendToStream('session:t', 'exists', ev(6)), // no such stream
    store.appendToStream('session:s', 2, ev(7)), // stale: version is 4
    store.appendToStream('session:t', 0, ev(8)),
    store.appendToStream('session:s', 'any', ev(9)),
    store.appendToStream('session:s', 5, ev(10)),
  ]);
  assert.deepEqual(results.map(summary), [
    { ok: true, first: 1, last: 1, version: 1 },
    { ok: false, expected: 0, actual: 1 },
    { ok: true, first: 2, last: 3, version: 3 },
    { ok: true, first: 4, last: 4, version: 4 },
    { ok: false, expected: 'exists', actual: 0 },
    { ok: false, expected: 2, actual: 4 },
    { ok: true, first: 5, last: 5, version: 1 },
    { ok: true, first: 6, last: 6, version: 5 },
    { ok: true, first: 7, last: 7, version: 6 },
  ]);
  // Exactly the successful events are stored, nothing of the conflicting ones, positions without a hole.
  const all = store.readAll(0, 100);
  assert.deepEqual(all.map((e) => e.position), range(1, 7));
  assert.deepEqual(all.map((e) => (e.data as { n: number }).n), [1, 3, 4, 5, 8, 9, 10]);
  assert.deepEqual(store.readStream('session:s').map((e) => e.streamPosition), range(1, 6));
  assert.equal(store.streamVersion('session:s'), 6);
  assert.equal(store.streamVersion('session:t'), 1);
  assert.equal(store.verifyChain().ok, true);
});

for (const kind of STORE_KINDS) test(`${kind}: appends across ticks: a writer that read a stale version conflicts, and no partial append is written`, async (t) => {
  const { store } = await openTestStore(t, kind);
  await store.appendToStream('session:c', 0, ev(0));
  // Two "actors" both read version 1 and then append in different turns of the event loop.
  const seenByBoth = store.streamVersion('session:c');
  const first = store.appendToStream('session:c', seenByBoth, [...ev(1), ...ev(2), ...ev(3)]);
  await nextTurn();
  const second = store.appendToStream('session:c', seenByBoth, [...ev(4), ...ev(5)]);
  const [r1, r2] = await Promise.all([first, second]);
  assert.equal(r1.ok, true);
  assert.deepEqual(summary(r2), { ok: false, expected: 1, actual: 4 });
  assert.deepEqual(store.readStream('session:c').map((e) => (e.data as { n: number }).n), [0, 1, 2, 3]);

  // Retrying with the fresh version succeeds.
  const retry = await store.appendToStream('session:c', store.streamVersion('session:c'), [...ev(4), ...ev(5)]);
  assert.deepEqual(summary(retry), { ok: true, first: 5, last: 6, version: 6 });
});

for (const kind of STORE_KINDS) test(`${kind}: many writers racing on one stream with expected versions: exactly one wins each version`, async (t) => {
  const { store } = await openTestStore(t, kind);
  const writers = 8;
  const rounds = 25;
  let wins = 0;
  let conflicts = 0;
  // Each round, all writers read the version in the same turn and race; some rounds are spread over turns.
  for (let round = 0; round < rounds; round++) {
    const version = store.streamVersion('session:race');
    const attempts: Promise<AppendResult>[] = [];
    for (let w = 0; w < writers; w++) {
      attempts.push(store.appendToStream('session:race', version, [{ type: 'Won', data: { round, w } }]));
      if (round % 5 === 0) await nextTurn();
    }
    const results = await Promise.all(attempts);
    const ok = results.filter((r) => r.ok);
    assert.equal(ok.length, 1, `round ${round}: exactly one writer wins`);
    assert.equal(results[0]!.ok, true, 'the first caller wins (call order)');
    wins += ok.length;
    conflicts += results.length - ok.length;
  }
  assert.equal(wins, rounds);
  assert.equal(conflicts, rounds * (writers - 1));
  const events = store.readStream('session:race');
  assert.deepEqual(events.map((e) => (e.data as { round: number }).round), range(0, rounds - 1));
  assert.deepEqual(events.map((e) => e.position), range(1, rounds));
  assert.equal(store.verifyChain().ok, true);
});
