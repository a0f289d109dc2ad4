// The actor runtime: journal-then-fold, pure replay (no effects), snapshots, and durable timers across a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assign, emit, setup } from 'xstate';
import { z } from 'zod';
import { openEventStore } from '../../src/store/index.js';
import type { EventStore } from '../../src/store/types.js';
import { EventCatalogue } from '../../src/events/catalogue.js';
import { ActorRuntime } from '../../src/actors/runtime.js';
import type { ActorKind, TimerClearEffect, TimerSetEffect } from '../../src/actors/actor-kind.js';
import { silentLogger } from '../../src/log/logger.js';
import { eventually } from '../helpers/poll.js';

// A door: opened and closed by commands; opening emits an effect and arms a durable auto-close timer.
const door = setup({
  types: {
    context: {} as { opens: number; closes: number; by: string[] },
    events: {} as
      | { type: 'Installed' }
      | { type: 'Opened'; by: string; closeAt: number }
      | { type: 'Closed'; by: string }
      | { type: 'Noted'; text: string },
    emitted: {} as { type: 'effect.ring'; by: string } | TimerSetEffect | TimerClearEffect,
  },
}).createMachine({
  id: 'door',
  initial: 'new',
  context: { opens: 0, closes: 0, by: [] },
  states: {
    new: { on: { Installed: 'closed' } },
    closed: {
      on: {
        Opened: {
          target: 'open',
          actions: [
            assign({ opens: ({ context }) => context.opens + 1, by: ({ context, event }) => [...context.by, event.by] }),
            emit(({ event }) => ({ type: 'effect.ring' as const, by: event.by })),
            emit(({ event }) => ({ type: 'timer.set' as const, timerId: 'auto-close', dueAt: event.closeAt, event: { type: 'Closed', by: 'timer' } })),
          ],
        },
      },
    },
    open: {
      on: {
        Closed: {
          target: 'closed',
          actions: [assign({ closes: ({ context }) => context.closes + 1, by: ({ context, event }) => [...context.by, event.by] }), emit({ type: 'timer.clear' as const, timerId: 'auto-close' })],
        },
      },
    },
  },
});

function catalogue(): EventCatalogue {
  const c = new EventCatalogue();
  c.define('Installed', z.object({}));
  c.define('Opened', z.object({ by: z.string(), closeAt: z.number() }));
  c.define('Closed', z.object({ by: z.string() }));
  c.define('Noted', z.object({ text: z.string() }));
  return c;
}

function kind(effects: string[], snapshotEvery = 1000): ActorKind<typeof door> {
  return {
    streamType: 'door',
    machine: door,
    machineVersion: 'door-1',
    foldedTypes: new Set(['Installed', 'Opened', 'Closed']),
    snapshotEvery,
    effects: { 'effect.ring': (_a, e) => void effects.push(e.type) },
  };
}

function setupRuntime(path: string, effects: string[], snapshotEvery?: number) {
  const store = openEventStore({ path });
  const runtime = new ActorRuntime({ store, catalogue: catalogue(), logger: silentLogger });
  const k = kind(effects, snapshotEvery);
  runtime.register(k);
  return { store, runtime, k };
}

function tempDb(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aix-runtime-'));
  return { dir, path: join(dir, 'log.db') };
}

async function script(runtime: ActorRuntime, k: ActorKind<typeof door>, far: number) {
  const a = await runtime.create(k, 'front', [{ type: 'Installed', data: {} }]);
  for (let i = 0; i < 5; i++) {
    const opened = await a.decideEvent({ type: 'Opened', data: { by: `u${i}`, closeAt: far } });
    assert.equal(opened.ok, true);
    // a second open while open is not accepted by the machine: nothing is appended
    const again = await a.decideEvent({ type: 'Opened', data: { by: 'x', closeAt: far } });
    assert.equal(again.ok, false);
    await a.record([{ type: 'Noted', data: { text: `raw traffic ${i}` } }]);
    assert.equal((await a.decideEvent({ type: 'Closed', data: { by: `u${i}` } })).ok, true);
  }
  return a;
}

test('a replayed actor equals the live one, and replay runs no effect', async () => {
  const { dir, path } = tempDb();
  try {
    const liveEffects: string[] = [];
    const first = setupRuntime(path, liveEffects);
    const live = await script(first.runtime, first.k, Date.now() + 3_600_000);
    const livePersisted = JSON.stringify(live.persistedSnapshot());
    assert.deepEqual(liveEffects.filter((e) => e === 'effect.ring').length, 5);
    assert.equal(live.version, 1 + 5 * 3);
    first.runtime.stop();
    await first.store.close();

    const replayEffects: string[] = [];
    const second = setupRuntime(path, replayEffects);
    const report = second.runtime.restoreAll();
    assert.equal(report.streams, 1);
    assert.equal(report.foldedEvents, 11); // Noted events are recorded but not folded
    const restored = second.runtime.get<typeof door>('door:front')!;
    assert.equal(replayEffects.length, 0, 'no effect runs during replay');
    assert.equal(JSON.stringify(restored.persistedSnapshot()), livePersisted);
    assert.equal(restored.version, live.version);
    assert.deepEqual(restored.snapshot().context.by.slice(0, 2), ['u0', 'u0']);
    // the restored actor goes on live
    assert.equal((await restored.decideEvent({ type: 'Opened', data: { by: 'after', closeAt: Date.now() + 3_600_000 } })).ok, true);
    assert.deepEqual(replayEffects, ['effect.ring']);
    second.runtime.stop();
    await second.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('restore from a snapshot + tail equals a full fold', async () => {
  const { dir, path } = tempDb();
  try {
    const first = setupRuntime(path, [], 4); // snapshot every 4 events
    await script(first.runtime, first.k, Date.now() + 3_600_000);
    first.runtime.stop();
    await first.store.close();

    const withSnap = setupRuntime(path, []);
    const r1 = withSnap.runtime.restoreAll();
    assert.equal(r1.fromSnapshot, 1);
    assert.ok(r1.foldedEvents < 11, `only the tail is folded (${r1.foldedEvents})`);
    const a = JSON.stringify(withSnap.runtime.get<typeof door>('door:front')!.snapshot().context);
    withSnap.runtime.stop();
    await withSnap.store.close();

    // a machine version change discards the snapshot and folds everything
    const store = openEventStore({ path });
    const runtime = new ActorRuntime({ store, catalogue: catalogue(), logger: silentLogger });
    runtime.register({ ...kind([]), machineVersion: 'door-2' });
    const r2 = runtime.restoreAll();
    assert.equal(r2.fromSnapshot, 0);
    assert.equal(r2.foldedEvents, 11);
    assert.equal(JSON.stringify(runtime.get<typeof door>('door:front')!.snapshot().context), a);
    runtime.stop();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a durable timer set before a restart fires after it', async () => {
  const { dir, path } = tempDb();
  try {
    const first = setupRuntime(path, []);
    const a = await first.runtime.create(first.k, 'back', [{ type: 'Installed', data: {} }]);
    await a.decideEvent({ type: 'Opened', data: { by: 'alice', closeAt: Date.now() + 600 } });
    assert.equal(first.runtime.timers.pending().length, 1);
    first.runtime.stop(); // the process "dies" before the timer fires
    await first.store.close();

    const second = setupRuntime(path, []);
    const report = second.runtime.restoreAll();
    assert.equal(report.timers, 1);
    const restored = second.runtime.get<typeof door>('door:back')!;
    assert.equal(restored.snapshot().value, 'open');
    await eventually(() => restored.snapshot().value === 'closed', 5000, 'the restored timer to close the door');
    assert.deepEqual(restored.snapshot().context.by, ['alice', 'timer']);
    const last = second.store.readStream('door:back').at(-1)!;
    assert.equal(last.type, 'Closed');
    assert.equal(last.meta.principal, 'system');
    await eventually(() => second.store.listTimers().length === 0, 5000, 'the fired timer row to go');
    second.runtime.stop();
    await second.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('creating a stream that exists is refused; an unknown event type in the log names its position', async () => {
  const { dir, path } = tempDb();
  try {
    const { store, runtime, k } = setupRuntime(path, []);
    await runtime.create(k, 'side', [{ type: 'Installed', data: {} }]);
    await assert.rejects(runtime.create(k, 'side', [{ type: 'Installed', data: {} }]), /already exists/);
    await assert.rejects(runtime.create(k, 'bad', [{ type: 'Opened', data: { by: 1 } }]), /invalid Opened event: by/);
    const r = await (store as EventStore).appendToStream('door:side', 'any', [{ type: 'Vanished', data: {} }]);
    assert.equal(r.ok, true);
    runtime.stop();
    await store.close();
    const again = setupRuntime(path, []);
    assert.throws(() => again.runtime.restoreAll(), /position \d+ \(Vanished\): unknown event type/);
    again.runtime.stop();
    await again.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('boot: a snapshot that covers its stream is used as stored; finished streams of a kind that does not keep them are skipped', async () => {
  const { dir, path } = tempDb();
  try {
    const finishing = setup({ types: { context: {} as { n: number }, events: {} as { type: 'Started' } | { type: 'Finished' } } }).createMachine({
      id: 'job',
      initial: 'new',
      context: { n: 0 },
      states: { new: { on: { Started: 'running' } }, running: { on: { Finished: 'done' } }, done: { type: 'final' } },
    });
    const c = catalogue();
    c.define('Started', z.object({}));
    c.define('Finished', z.object({}));
    const jobKind: ActorKind<typeof finishing> = {
      streamType: 'job',
      machine: finishing,
      machineVersion: 'job-1',
      foldedTypes: new Set(['Started', 'Finished']),
      snapshotWhen: (s) => s.status === 'done',
      restoreFinished: false,
    };
    const store = openEventStore({ path });
    const runtime = new ActorRuntime({ store, catalogue: c, logger: silentLogger });
    runtime.register(jobKind);
    const a = await runtime.create(jobKind, 'a', [{ type: 'Started', data: {} }]);
    await a.record([{ type: 'Finished', data: {} }]); // done: snapshotted
    await runtime.create(jobKind, 'b', [{ type: 'Started', data: {} }]); // still running, no snapshot
    runtime.stop();
    await store.close();

    const store2 = openEventStore({ path });
    const runtime2 = new ActorRuntime({ store: store2, catalogue: c, logger: silentLogger });
    runtime2.register(jobKind);
    const report = runtime2.restoreAll();
    assert.deepEqual([report.streams, report.skippedFinished, report.fromSnapshot, report.foldedEvents], [1, 1, 1, 1]);
    assert.equal(runtime2.get('job:a'), undefined, 'the finished job is not made live');
    assert.equal(runtime2.get('job:b')!.snapshot().value, 'running');
    runtime2.stop();
    await store2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('boot: a restored actor answers reads from its stored snapshot, and goes live (effects, snapshots) on its first decision', async () => {
  const { dir, path } = tempDb();
  try {
    const first = setupRuntime(path, [], 1); // a snapshot after every event: it covers the whole stream
    const live = await script(first.runtime, first.k, Date.now() + 3_600_000);
    const livePersisted = JSON.stringify(live.persistedSnapshot());
    first.runtime.stop();
    await first.store.close();

    const effects: string[] = [];
    const second = setupRuntime(path, effects, 1);
    const report = second.runtime.restoreAll();
    assert.deepEqual([report.streams, report.fromSnapshot, report.foldedEvents], [1, 1, 0]);
    const restored = second.runtime.get<typeof door>('door:front')!;
    // reads before any decision: the stored snapshot, as it was persisted
    assert.equal(restored.snapshot().value, 'closed');
    assert.equal(restored.snapshot().context.opens, 5);
    assert.equal(JSON.stringify(restored.persistedSnapshot()), livePersisted);
    // a decision needs the machine (can()): a transition the state does not have is still refused, nothing appended
    assert.equal((await restored.decideEvent({ type: 'Closed', data: { by: 'x' } })).ok, false);
    assert.equal(restored.version, live.version);
    assert.equal((await restored.decideEvent({ type: 'Opened', data: { by: 'after', closeAt: Date.now() + 3_600_000 } })).ok, true);
    assert.deepEqual(effects, ['effect.ring']);
    // the snapshot taken after it is the live machine's persisted form (plain JSON that a later boot reads)
    await second.store.flush();
    const saved = second.store.loadSnapshot('door:front')!;
    assert.equal(saved.streamPosition, restored.version);
    assert.equal((saved.snapshot as { value: string }).value, 'open');
    assert.equal((saved.snapshot as { context: { opens: number } }).context.opens, 6);
    second.runtime.stop();
    await second.store.close();

    // and a third boot restores that state
    const third = setupRuntime(path, [], 1);
    third.runtime.restoreAll();
    assert.equal(third.runtime.get<typeof door>('door:front')!.snapshot().value, 'open');
    third.runtime.stop();
    await third.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('boot: a stream whose last event is final for its kind is skipped without reading its snapshot', async () => {
  const { dir, path } = tempDb();
  try {
    const job = setup({ types: { context: {} as { n: number }, events: {} as { type: 'Started' } | { type: 'Finished' } | { type: 'Noted'; text: string } } }).createMachine({
      id: 'job',
      initial: 'new',
      context: { n: 0 },
      on: { Finished: '.done' },
      states: { new: { on: { Started: 'running' } }, running: {}, done: { type: 'final' } },
    });
    const c = catalogue();
    c.define('Started', z.object({}));
    c.define('Finished', z.object({}));
    const jobKind: ActorKind<typeof job> = {
      streamType: 'job',
      machine: job,
      machineVersion: 'job-1',
      foldedTypes: new Set(['Started', 'Finished']),
      snapshotEvery: 1,
      restoreFinished: false,
      finalEventTypes: new Set(['Finished']),
    };
    const store = openEventStore({ path });
    const runtime = new ActorRuntime({ store, catalogue: c, logger: silentLogger });
    runtime.register(jobKind);
    const a = await runtime.create(jobKind, 'a', [{ type: 'Started', data: {} }]);
    await a.record([{ type: 'Finished', data: {} }]);
    const b = await runtime.create(jobKind, 'b', [{ type: 'Started', data: {} }]);
    await b.record([{ type: 'Noted', data: { text: 'after the last folded event' } }]);
    runtime.stop();
    await store.close();

    // a's snapshot is made unreadable: a boot that read it would fail
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    assert.equal(db.prepare("UPDATE snapshots SET snapshot = 'not json' WHERE stream_id = 'job:a'").run().changes, 1);
    db.close();

    const store2 = openEventStore({ path });
    const runtime2 = new ActorRuntime({ store: store2, catalogue: c, logger: silentLogger });
    runtime2.register(jobKind);
    const report = runtime2.restoreAll();
    assert.deepEqual([report.streams, report.skippedFinished], [1, 1]);
    assert.equal(runtime2.get('job:a'), undefined);
    // b's last event is not final: it is restored (its snapshot plus the unfolded tail)
    assert.equal(runtime2.get<typeof job>('job:b')!.snapshot().value, 'running');
    assert.equal(runtime2.get<typeof job>('job:b')!.version, 2);
    runtime2.stop();
    await store2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
