// Catch-up subscriptions: from the log, then live, while producers keep committing. Every subscriber sees each
// position it asked for exactly once, in commit order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventStore, RecordedEvent, Subscription } from '../../src/store/types.js';
import { STORE_KINDS, nextTurn, openTestStore, range } from './helpers.js';
import { eventually } from '../helpers/poll.js';

/** Append `ticks` turns' worth of events (several appends per turn, some with two events). */
async function produce(store: EventStore, ticks: number, appendsPerTick: number, onTick?: () => void): Promise<void> {
  for (let tick = 0; tick < ticks; tick++) {
    const pending: Promise<unknown>[] = [];
    for (let j = 0; j < appendsPerTick; j++) {
      const n = tick * appendsPerTick + j;
      const events = [{ type: 'Produced', data: { n } }];
      if (n % 7 === 0) events.push({ type: 'Produced', data: { n: -n } });
      pending.push(store.appendToStream(`session:${n % 5}`, 'any', events));
    }
    await Promise.all(pending);
    onTick?.();
    if (tick % 3 === 0) await nextTurn();
  }
}

function collector(): { positions: number[]; batches: number; handler: (events: readonly RecordedEvent[]) => void } {
  const c = {
    positions: [] as number[],
    batches: 0,
    handler: (events: readonly RecordedEvent[]) => {
      c.batches += 1;
      for (const e of events) c.positions.push(e.position);
    },
  };
  return c;
}

for (const kind of STORE_KINDS) test(`${kind}: subscribers from 0, from the middle, and for one stream see every position once, in order, while producers append`, async (t) => {
  const { store } = await openTestStore(t, kind, { durability: 'fast' });
  await produce(store, 60, 50); // backlog: 3 000 appends
  const backlog = store.headPosition();
  assert.ok(backlog > 3000);

  const fromZero = collector();
  const fromMiddle = collector();
  const oneStream = collector();
  const middle = 1234;
  const subs: Subscription[] = [
    store.subscribe(0, fromZero.handler, { pageSize: 100 }),
    store.subscribe(middle, fromMiddle.handler, { pageSize: 250 }),
    store.subscribe(0, oneStream.handler, { streamId: 'session:3', pageSize: 50 }),
  ];
  let lagObserved = 0;
  await produce(store, 80, 40, () => {
    if (subs[0]!.lastDelivered > 0 && subs[0]!.lastDelivered < backlog) lagObserved += 1;
  });
  const head = store.headPosition();
  assert.ok(head - backlog > 3000, 'the concurrent producer appended > 3 000 events');
  assert.ok(head > 5000);
  // The race this test is about: against SQLite a commit is quick enough that the producer runs while the reader
  // pages through the backlog. Against PostgreSQL each commit waits for network round trips, during which the
  // reader pages through the local mirror, so it is done before the first produced tick: the rest still holds.
  if (kind === 'sqlite') assert.ok(lagObserved > 0, 'the producer ran while the subscriber was still catching up');

  const lastOfStream = store.readStream('session:3').at(-1)!.position;
  const targets = [head, head, lastOfStream];
  await eventually(() => subs.every((s, i) => s.lastDelivered >= targets[i]!), 10_000, 'subscribers to catch up');
  assert.deepEqual(fromZero.positions, range(1, head));
  assert.deepEqual(fromMiddle.positions, range(middle + 1, head));
  assert.deepEqual(oneStream.positions, store.readStream('session:3').map((e) => e.position));
  assert.ok(fromZero.batches > 1);

  // Still live: one more commit reaches all of them, once.
  const r = await store.appendToStream('session:3', 'any', [{ type: 'Last', data: {} }]);
  assert.ok(r.ok);
  await eventually(() => subs.every((s) => s.lastDelivered === r.lastPosition), 5000, 'the live event');
  assert.deepEqual(fromZero.positions.slice(-2), [head, head + 1]);
  assert.equal(oneStream.positions.at(-1), head + 1);
  for (const s of subs) s.close();
});

for (const kind of STORE_KINDS) test(`${kind}: a handler that appends (and so commits synchronously, maxBatchEvents=1) still sees each position once, in order`, async (t) => {
  const { store } = await openTestStore(t, kind, { maxBatchEvents: 1, durability: 'fast' });
  for (let i = 0; i < 300; i++) await store.appendToStream('session:ping', 'any', [{ type: 'Ping', data: { i } }]);
  const seen: number[] = [];
  let pongs = 0;
  const sub = store.subscribe(0, (events) => {
    for (const e of events) {
      seen.push(e.position);
      // Answer every ping: with maxBatchEvents=1 the append commits inside this very call (during catch-up),
      // or is queued behind the running commit (when live).
      if (e.type === 'Ping' && pongs < 400) {
        pongs += 1;
        void store.appendToStream('session:pong', 'any', [{ type: 'Pong', data: { to: e.position } }]);
      }
    }
  }, { pageSize: 64 });
  for (let i = 300; i < 400; i++) {
    await store.appendToStream('session:ping', 'any', [{ type: 'Ping', data: { i } }]);
  }
  await eventually(() => pongs === 400 && sub.lastDelivered === 800, 5000, 'all pings answered and delivered');
  assert.equal(store.headPosition(), 800);
  assert.deepEqual(seen, range(1, 800));
  sub.close();
});

for (const kind of STORE_KINDS) test(`${kind}: what the handler commits while handling the last catch-up page is delivered (read from the log after the handler returned)`, async (t) => {
  // maxBatchEvents=1: the handler's append commits synchronously, inside the handler, after the log was read for
  // the last time. The reader notes it is behind and reads it after the handler returned.
  const { store } = await openTestStore(t, kind, { maxBatchEvents: 1 });
  for (let i = 0; i < 10; i++) await store.appendToStream('session:a', 'any', [{ type: i === 9 ? 'Trigger' : 'A', data: i }]);
  const seen: number[] = [];
  const sub = store.subscribe(0, (events) => {
    for (const e of events) {
      seen.push(e.position);
      if (e.type === 'Trigger') void store.appendToStream('session:echo', 'any', [{ type: 'Echo', data: {} }]);
    }
  }, { pageSize: 4 });
  await eventually(() => seen.length >= 11, 5000, 'the echo');
  assert.deepEqual(seen, range(1, 11));
  assert.equal(sub.lastDelivered, 11);
});

for (const kind of STORE_KINDS) test(`${kind}: a throwing handler closes only its own subscription, and is reported`, async (t) => {
  const reported: string[] = [];
  const { store } = await openTestStore(t, kind, { onError: (_e, context) => reported.push(context) });
  await store.appendToStream('session:a', 'any', [{ type: 'A', data: 1 }]);
  const healthy = collector();
  const good = store.subscribe(0, healthy.handler);
  let calls = 0;
  const bad = store.subscribe(0, () => {
    calls += 1;
    if (calls === 2) throw new Error('handler bug');
  });
  await eventually(() => good.lastDelivered === 1 && bad.lastDelivered === 1, 5000, 'the backlog');
  await store.appendToStream('session:a', 'any', [{ type: 'A', data: 2 }]);
  await store.appendToStream('session:a', 'any', [{ type: 'A', data: 3 }]);
  await eventually(() => good.lastDelivered === 3, 5000, 'the healthy subscriber');
  assert.equal(calls, 2, 'the failed subscription got nothing after its handler threw');
  assert.equal(bad.lastDelivered, 1, 'lastDelivered names the last batch the handler accepted');
  assert.deepEqual(healthy.positions, [1, 2, 3]);
  assert.equal(reported.length, 1);
  assert.match(reported[0]!, /handler threw/);
});

for (const kind of STORE_KINDS) test(`${kind}: close() stops delivery, also when called from the handler or by closing the store`, async (t) => {
  const { store } = await openTestStore(t, kind);
  for (let i = 0; i < 10; i++) await store.appendToStream('session:a', 'any', [{ type: 'A', data: i }]);
  const stopped = collector();
  const sub = store.subscribe(0, (events) => {
    stopped.handler(events);
    sub.close();
  }, { pageSize: 3 });
  const running = collector();
  const other = store.subscribe(0, running.handler);
  await eventually(() => other.lastDelivered === 10, 5000, 'the other subscriber');
  await nextTurn();
  assert.deepEqual(stopped.positions, [1, 2, 3], 'closed from inside its first batch');
  sub.close(); // twice is fine

  await store.close();
  assert.deepEqual(running.positions, range(1, 10));
  assert.throws(() => store.subscribe(0, () => undefined), /event store is closed/);
});

for (const kind of STORE_KINDS) test(`${kind}: a subscription for a stream that does not exist yet goes live and gets its first events`, async (t) => {
  const { store } = await openTestStore(t, kind);
  await store.appendToStream('session:other', 'any', [{ type: 'A', data: 1 }]);
  const c = collector();
  const sub = store.subscribe(0, c.handler, { streamId: 'session:later' });
  await nextTurn();
  await nextTurn();
  await store.appendToStream('session:other', 'any', [{ type: 'A', data: 2 }]);
  await store.appendToStream('session:later', 'any', [{ type: 'B', data: 3 }, { type: 'B', data: 4 }]);
  await eventually(() => sub.lastDelivered === 4, 5000, 'the new stream');
  assert.deepEqual(c.positions, [3, 4]);
  assert.equal(c.batches, 1);
});
