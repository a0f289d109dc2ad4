// Round trip through a real SQLite file: what is appended reads back exactly, with contiguous positions and
// correct stream versions, through every read path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from '../../src/store/errors.js';
import type { RecordedEvent } from '../../src/store/types.js';
import { STORE_KINDS, openTempStore, openTestStore, range } from './helpers.js';

for (const kind of STORE_KINDS) test(`${kind}: appended events read back exactly, positions contiguous, versions right`, async (t) => {
  const { store, reopen } = await openTestStore(t, kind);
  assert.equal(store.headPosition(), 0);
  assert.equal(store.streamVersion('session:a'), 0);

  const r1 = await store.appendToStream('session:a', 0, [
    { type: 'SessionCreated', data: { agent: 'demo', n: 1 }, meta: { principal: 'alice', request_id: 'r1' } },
    { type: 'PromptSubmitted', data: { text: 'héllo ✓ \u2028 "quoted" \\ 😀' } },
  ]);
  assert.ok(r1.ok);
  assert.deepEqual([r1.firstPosition, r1.lastPosition, r1.streamVersion], [1, 2, 2]);
  const r2 = await store.appendToStream('agent:demo:1', 'any', [{ type: 'AgentSpawned', data: { pid: 42 } }]);
  assert.ok(r2.ok);
  assert.deepEqual([r2.firstPosition, r2.lastPosition, r2.streamVersion], [3, 3, 1]);
  const r3 = await store.appendToStream('session:a', 2, [{ type: 'TurnCompleted', data: null }]);
  assert.ok(r3.ok);
  assert.deepEqual([r3.firstPosition, r3.streamVersion], [4, 3]);
  const r4 = await store.appendToStream('session:b', 'any', [{ type: 'SessionCreated', data: [1, 2, 3] }]);
  assert.ok(r4.ok);

  assert.equal(store.headPosition(), 5);
  assert.equal(store.streamVersion('session:a'), 3);
  assert.equal(store.streamVersion('agent:demo:1'), 1);

  const all = store.readAll(0, 100);
  assert.deepEqual(all.map((e) => e.position), [1, 2, 3, 4, 5]);
  assert.deepEqual(all.map((e) => e.streamId), ['session:a', 'session:a', 'agent:demo:1', 'session:a', 'session:b']);
  assert.deepEqual(all.map((e) => e.streamPosition), [1, 2, 1, 3, 1]);
  assert.deepEqual(all[0]!.data, { agent: 'demo', n: 1 });
  assert.deepEqual(all[0]!.meta, { principal: 'alice', request_id: 'r1' });
  assert.equal(all[0]!.dataText, '{"agent":"demo","n":1}');
  assert.equal(all[1]!.metaText, '{}');
  assert.deepEqual(all[1]!.data, { text: 'héllo ✓ \u2028 "quoted" \\ 😀' });
  assert.equal(all[3]!.data, null);
  // what the append returned is what was stored
  assert.deepEqual(r1.events.map((e) => [e.position, e.hash, e.dataText]), all.slice(0, 2).map((e) => [e.position, e.hash, e.dataText]));
  // chain linkage
  for (let i = 1; i < all.length; i++) assert.equal(all[i]!.prevHash, all[i - 1]!.hash);

  assert.deepEqual(store.readStream('session:a').map((e) => e.position), [1, 2, 4]);
  assert.deepEqual(store.readStream('session:a', 2).map((e) => e.streamPosition), [2, 3]);
  assert.deepEqual(store.readStream('session:a', 1, 2).map((e) => e.streamPosition), [1, 2]);
  assert.deepEqual(store.readStream('session:none'), []);
  assert.deepEqual(store.readStreamAfter('session:a', 2, 10).map((e) => e.position), [4]);
  assert.deepEqual(store.readStreamAfter('session:a', 0, 2).map((e) => e.position), [1, 2]);
  assert.deepEqual(store.readAll(3, 1).map((e) => e.position), [4]);

  assert.deepEqual(store.listStreams().map((s) => [s.streamId, s.streamType, s.version, s.createdPosition]), [
    ['session:a', 'session', 3, 1],
    ['agent:demo:1', 'agent', 1, 3],
    ['session:b', 'session', 1, 5],
  ]);
  assert.deepEqual(store.listStreams('session:').map((s) => s.streamId), ['session:a', 'session:b']);
  assert.deepEqual(store.listStreams('agent:').map((s) => s.streamId), ['agent:demo:1']);
  assert.deepEqual(store.listStreams('pipeline:'), []);
  assert.equal(store.verifyChain().ok, true);

  // and the same after reopening the file (the database and the mirror)
  await store.close();
  const reopened = await reopen();
  assert.equal(reopened.headPosition(), 5);
  assert.deepEqual(reopened.readAll(0, 100).map((e) => [e.position, e.hash, e.dataText, e.metaText, e.at]),
    all.map((e) => [e.position, e.hash, e.dataText, e.metaText, e.at]));
  const next = await reopened.appendToStream('session:b', 1, [{ type: 'SessionClosed', data: {} }]);
  assert.ok(next.ok);
  assert.equal(next.firstPosition, 6);
  assert.equal(next.events[0]!.prevHash, all[4]!.hash);
  assert.deepEqual(reopened.verifyChain(), { ok: true, checked: 6 });
});

for (const kind of STORE_KINDS) test(`${kind}: data is serialised at call time: mutating the object afterwards changes nothing`, async (t) => {
  const { store } = await openTestStore(t, kind);
  const data = { items: ['a'], n: 1 };
  const pending = store.appendToStream('session:m', 0, [{ type: 'Changed', data }]);
  data.items.push('b');
  data.n = 2;
  const r = await pending;
  assert.ok(r.ok);
  assert.equal(r.events[0]!.dataText, '{"items":["a"],"n":1}');
  assert.deepEqual(store.readStream('session:m')[0]!.data, { items: ['a'], n: 1 });
  assert.equal(store.verifyChain().ok, true);
});

for (const kind of STORE_KINDS) test(`${kind}: invalid arguments reject clearly and write nothing`, async (t) => {
  const { store } = await openTestStore(t, kind);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const bad: [string, unknown, unknown][] = [
    ['', 'any', [{ type: 'X', data: 1 }]],
    ['nostreamtype', 'any', [{ type: 'X', data: 1 }]],
    [':noprefix', 'any', [{ type: 'X', data: 1 }]],
    ['session:', 'any', [{ type: 'X', data: 1 }]],
    ['session:\u0000x', 'any', [{ type: 'X', data: 1 }]],
    ['session:\ud800', 'any', [{ type: 'X', data: 1 }]],
    ['session:a', -1, [{ type: 'X', data: 1 }]],
    ['session:a', 1.5, [{ type: 'X', data: 1 }]],
    ['session:a', 'maybe', [{ type: 'X', data: 1 }]],
    ['session:a', 'any', []],
    ['session:a', 'any', [{ type: '', data: 1 }]],
    ['session:a', 'any', [{ type: 'X', data: undefined }]],
    ['session:a', 'any', [{ type: 'X', data: () => 1 }]],
    ['session:a', 'any', [{ type: 'X', data: 10n }]],
    ['session:a', 'any', [{ type: 'X', data: cyclic }]],
    ['session:a', 'any', [{ type: 'X', data: 1, meta: 'principal' }]],
  ];
  for (const [streamId, expected, events] of bad) {
    await assert.rejects(
      // deliberately wrong types: the store must guard its boundary
      store.appendToStream(streamId, expected as never, events as never),
      InvalidArgumentError,
      `should reject ${JSON.stringify([streamId, String(expected)])}`,
    );
  }
  await store.flush();
  assert.equal(store.headPosition(), 0);
  assert.deepEqual(store.listStreams(), []);
});

for (const kind of STORE_KINDS) test(`${kind}: appends of one event-loop turn commit as one batch, in call order`, async (t) => {
  const { store } = await openTestStore(t, kind);
  const batches: number[][] = [];
  store.onCommitted((events) => batches.push(events.map((e) => e.position)));
  const a = store.appendToStream('session:a', 'any', [{ type: 'A', data: 1 }]);
  const b = store.appendToStream('session:b', 'any', [{ type: 'B', data: 2 }, { type: 'B', data: 3 }]);
  const c = store.appendToStream('session:a', 'any', [{ type: 'C', data: 4 }]);
  assert.equal(store.headPosition(), 0, 'nothing is committed before the flush runs');
  const [ra, rb, rc] = await Promise.all([a, b, c]);
  assert.deepEqual(batches, [[1, 2, 3, 4]]);
  assert.ok(ra.ok && rb.ok && rc.ok);
  assert.deepEqual([ra.firstPosition, rb.firstPosition, rb.lastPosition, rc.firstPosition], [1, 2, 3, 4]);
  const d = await store.appendToStream('session:a', 'any', [{ type: 'D', data: 5 }]);
  assert.ok(d.ok);
  assert.deepEqual(batches, [[1, 2, 3, 4], [5]]);
});

for (const kind of STORE_KINDS) test(`${kind}: a lingering append waits for the next awaited one and shares its commit; alone, it still commits`, async (t) => {
  const { store } = await openTestStore(t, kind, { lingerMs: 500 }); // long enough that no scheduling delay lets it run out
  const batches: string[][] = [];
  store.onCommitted((events) => batches.push(events.map((e) => e.type)));
  const lingering = store.appendToStream('session:a', 'any', [{ type: 'Out', data: 1 }], { linger: true });
  // a later turn of the event loop, where an append without linger would have committed already
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(store.headPosition(), 0, 'the lingering append did not start a commit of its own');
  const awaited = store.appendToStream('session:a', 'any', [{ type: 'Ended', data: 2 }]);
  const [rl, ra] = await Promise.all([lingering, awaited]);
  assert.ok(rl.ok && ra.ok);
  assert.deepEqual(batches, [['Out', 'Ended']], 'one commit, in call order');
  // nothing else comes: the lingering append commits on its own soon
  const alone = await store.appendToStream('session:b', 'any', [{ type: 'In', data: 3 }], { linger: true });
  assert.ok(alone.ok);
  assert.deepEqual(batches.at(-1), ['In']);
});

// SQLite only: its commit runs synchronously inside the append that fills the batch (PostgreSQL's cannot).
test('sqlite: maxBatchEvents flushes at once, without waiting for the next turn', async (t) => {
  const { store } = openTempStore(t, { maxBatchEvents: 3 });
  const batches: number[][] = [];
  store.onCommitted((events) => batches.push(events.map((e) => e.position)));
  const first = store.appendToStream('session:a', 'any', [{ type: 'A', data: 1 }, { type: 'A', data: 2 }]);
  const second = store.appendToStream('session:a', 'any', [{ type: 'A', data: 3 }]);
  // the third queued event sent the batch to the writer at once, so this one (same turn) is in the next batch
  const third = store.appendToStream('session:a', 'any', [{ type: 'A', data: 4 }]);
  assert.deepEqual(await Promise.all([first, second, third]).then((rs) => rs.map((r) => r.ok)), [true, true, true]);
  assert.deepEqual(batches, [[1, 2, 3], [4]]);
});

test('a batch never exceeds maxBatchEvents when more queue up while one is committing (appends are not split)', async (t) => {
  const { store } = openTempStore(t, { maxBatchEvents: 4 });
  const batches: number[][] = [];
  store.onCommitted((events) => batches.push(events.map((e) => e.position)));
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < 5; i++) all.push(store.appendToStream('session:a', 'any', [{ type: 'A', data: i }, { type: 'A', data: i }, { type: 'A', data: i }]));
  await Promise.all(all);
  assert.deepEqual(batches.flat(), range(1, 15));
  assert.ok(batches.every((b) => b.length <= 6 && b.length % 3 === 0), JSON.stringify(batches));
  assert.deepEqual(store.verifyChain(), { ok: true, checked: 15 });
});

for (const kind of STORE_KINDS) test(`${kind}: a throwing onCommitted listener is reported and does not affect the store or other listeners`, async (t) => {
  const reported: string[] = [];
  const { store } = await openTestStore(t, kind, { onError: (_err, context) => reported.push(context) });
  const seen: number[] = [];
  store.onCommitted(() => {
    throw new Error('listener bug');
  });
  const off = store.onCommitted((events) => seen.push(...events.map((e) => e.position)));
  const r = await store.appendToStream('session:a', 'any', [{ type: 'A', data: 1 }]);
  assert.ok(r.ok);
  assert.deepEqual(seen, [1]);
  assert.equal(reported.length, 1);
  assert.match(reported[0]!, /onCommitted/);
  off();
  await store.appendToStream('session:a', 'any', [{ type: 'A', data: 2 }]);
  assert.deepEqual(seen, [1], 'an unsubscribed listener is not called');
  assert.equal(store.headPosition(), 2);
});

for (const kind of STORE_KINDS) test(`${kind}: RecordedEvent parses data lazily, once`, async (t) => {
  const { store } = await openTestStore(t, kind);
  await store.appendToStream('session:a', 'any', [{ type: 'A', data: { deep: { x: 1 } } }]);
  const [e] = store.readAll(0, 1) as [RecordedEvent];
  assert.equal(e.data, e.data, 'the parsed value is cached');
  assert.equal(e.meta, e.meta);
  assert.deepEqual(JSON.parse(JSON.stringify(e)).data, { deep: { x: 1 } });
});

for (const kind of STORE_KINDS) test(`${kind}: iterate filters by stream, type and time, and never blocks the writer`, async (t) => {
  const { store } = await openTestStore(t, kind);
  const times: number[] = [];
  for (let i = 1; i <= 30; i++) {
    const r = await store.appendToStream(`session:${i % 3}`, 'any', [{ type: i % 2 ? 'Odd' : 'Even', data: { i } }]);
    assert.ok(r.ok);
    times.push(r.events[0]!.at);
    if (i % 10 === 0) await new Promise((res) => setTimeout(res, 3)); // distinct `at` values
  }
  const positions = (f: Parameters<typeof store.iterate>[0]): number[] => [...store.iterate(f)].map((e) => e.position);
  assert.deepEqual(positions({}), range(1, 30));
  assert.deepEqual(positions({ afterPosition: 25 }), range(26, 30));
  assert.deepEqual(positions({ streamId: 'session:1' }), range(1, 30).filter((i) => i % 3 === 1));
  assert.deepEqual(positions({ streamId: 'session:1', afterPosition: 10 }), [13, 16, 19, 22, 25, 28]);
  assert.deepEqual(positions({ type: 'Even' }), range(1, 30).filter((i) => i % 2 === 0));
  assert.deepEqual(positions({ type: 'Even', streamId: 'session:0' }), [6, 12, 18, 24, 30]);
  const since = times[10]!;
  const until = times[20]!;
  assert.deepEqual(positions({ since }), range(1, 30).filter((p) => times[p - 1]! >= since));
  assert.deepEqual(positions({ until }), range(1, 30).filter((p) => times[p - 1]! < until));
  assert.deepEqual(positions({ since, until, type: 'Odd' }),
    range(1, 30).filter((p) => times[p - 1]! >= since && times[p - 1]! < until && p % 2 === 1));
  assert.deepEqual(positions({ since: times[29]! + 1 }), []);

  // A half-consumed export must not stop commits (an open SQLite cursor would), and it ends at the head as of
  // the call.
  const it = store.iterate();
  assert.equal(it.next().value?.position, 1);
  const r = await store.appendToStream('session:x', 'any', [{ type: 'Late', data: {} }]);
  assert.ok(r.ok);
  const rest = [...it].map((e) => e.position);
  assert.deepEqual(rest, range(2, 30));
});

for (const kind of STORE_KINDS) test(`${kind}: a long stream is read after a position through its index (many pages)`, async (t) => {
  const { store } = await openTestStore(t, kind, { maxBatchEvents: 10_000 });
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < 3000; i++) {
    pending.push(store.appendToStream(i % 2 ? 'session:long' : 'session:other', 'any', [{ type: 'E', data: i }]));
  }
  await Promise.all(pending);
  const longPositions = range(1, 3000).filter((p) => p % 2 === 0);
  assert.deepEqual(store.readStreamAfter('session:long', 2001, 5).map((e) => e.position), [2002, 2004, 2006, 2008, 2010]);
  assert.deepEqual(store.readStreamAfter('session:long', 2998, 5).map((e) => e.position), [3000]);
  assert.deepEqual(store.readStreamAfter('session:long', 3000, 5), []);
  assert.deepEqual([...store.iterate({ streamId: 'session:long', afterPosition: 1000 })].map((e) => e.position),
    longPositions.filter((p) => p > 1000));
});

for (const kind of STORE_KINDS) test(`${kind}: after close, appends reject and reads throw, clearly`, async (t) => {
  const { store } = await openTestStore(t, kind);
  await store.appendToStream('session:a', 'any', [{ type: 'A', data: 1 }]);
  const closing = store.close();
  await assert.rejects(store.appendToStream('session:a', 'any', [{ type: 'A', data: 2 }]), /event store is closed/);
  await closing;
  await store.close(); // twice is fine
  assert.throws(() => store.readAll(0, 10), /event store is closed/);
  assert.throws(() => store.setCheckpoint('p', 1), /event store is closed/);
  await assert.rejects(store.flush(), /event store is closed/);
});

for (const kind of STORE_KINDS) test(`${kind}: appends queued before close() are committed by it`, async (t) => {
  const { store, reopen } = await openTestStore(t, kind);
  const pending = [1, 2, 3].map((i) => store.appendToStream('session:a', 'any', [{ type: 'A', data: i }]));
  await store.close();
  assert.deepEqual((await Promise.all(pending)).map((r) => r.ok), [true, true, true]);
  const reopened = await reopen();
  assert.equal(reopened.headPosition(), 3);
});
