// What a journaled actor does per record on a turn's hot path: held records (RecordOptions.hold) ride along with the
// stream's next append, in order, or go on their own; checked events (the gateway's own objects) skip the zod parse;
// a quiescent state is snapshotted once it has lasted, not after every turn, and a stop takes the snapshot that is due.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { openEventStore } from '../../src/store/index.js';
import type { RecordedEvent } from '../../src/store/types.js';
import { checkedEvent, EventCatalogue } from '../../src/events/catalogue.js';
import { ActorRuntime } from '../../src/actors/runtime.js';
import type { ActorKind } from '../../src/actors/actor-kind.js';
import { silentLogger } from '../../src/log/logger.js';
import { eventually } from '../helpers/poll.js';

// A line: busy while a call runs, idle between calls (quiescent); what goes over it is recorded, not folded.
const line = setup({
  types: {
    context: {} as { calls: number },
    events: {} as { type: 'Opened' } | { type: 'CallStarted' } | { type: 'CallEnded' },
  },
}).createMachine({
  id: 'line',
  initial: 'new',
  context: { calls: 0 },
  states: {
    new: { on: { Opened: 'idle' } },
    idle: { on: { CallStarted: { target: 'busy', actions: assign({ calls: ({ context }) => context.calls + 1 }) } } },
    busy: { on: { CallEnded: 'idle' } },
  },
});

const Traffic = z.object({ dir: z.enum(['in', 'out']), text: z.string() });

function setupLine() {
  const dir = mkdtempSync(join(tmpdir(), 'aix-hot-'));
  const store = openEventStore({ path: join(dir, 'log.db') });
  const c = new EventCatalogue();
  c.define('Opened', z.object({}));
  c.define('CallStarted', z.object({}));
  c.define('CallEnded', z.object({}));
  c.define('Traffic', Traffic);
  const runtime = new ActorRuntime({ store, catalogue: c, logger: silentLogger });
  const kind: ActorKind<typeof line> = {
    streamType: 'line',
    machine: line,
    machineVersion: 'line-1',
    foldedTypes: new Set(['Opened', 'CallStarted', 'CallEnded']),
    snapshotWhen: (s) => s.value === 'idle',
  };
  runtime.register(kind);
  const commits: string[][] = [];
  store.onCommitted((events) => commits.push(events.map((e) => e.type === 'Traffic' ? `Traffic:${(e.data as { text: string }).text}` : e.type)));
  const cleanup = async () => {
    runtime.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, runtime, kind, commits, cleanup };
}

test('a held record rides along with the stream\'s next append, first, and resolves with that commit', async (t) => {
  const { runtime, kind, commits, cleanup } = setupLine();
  t.after(cleanup);
  const a = await runtime.create(kind, 'l1', [{ type: 'Opened', data: {} }]);
  await a.record([{ type: 'CallStarted', data: {} }]);
  commits.length = 0;
  const sent = a.record([{ type: 'Traffic', data: { dir: 'out', text: 'hello' } }], undefined, { hold: true });
  const answer = a.record([{ type: 'Traffic', data: { dir: 'in', text: 'hi' } }, { type: 'CallEnded', data: {} }]);
  const [held, rest] = await Promise.all([sent, answer]);
  assert.deepEqual(commits, [['Traffic:hello', 'Traffic:hi', 'CallEnded']], 'one commit, the held record first');
  assert.deepEqual(held.map((e: RecordedEvent) => e.streamPosition), [3]);
  assert.deepEqual(rest.map((e: RecordedEvent) => e.streamPosition), [4, 5]);
  assert.equal(a.version, 5);
  assert.equal(a.snapshot().value, 'idle');
});

test('a held record that no append takes along is committed on its own; settled() and a decision take it at once', async (t) => {
  const { runtime, kind, commits, store, cleanup } = setupLine();
  t.after(cleanup);
  const a = await runtime.create(kind, 'l1', [{ type: 'Opened', data: {} }]);
  commits.length = 0;
  const alone = await a.record([{ type: 'Traffic', data: { dir: 'out', text: 'ping' } }], undefined, { hold: true });
  assert.equal(alone[0]!.streamPosition, 2);
  assert.deepEqual(commits, [['Traffic:ping']]);

  void a.record([{ type: 'Traffic', data: { dir: 'out', text: 'bye' } }], undefined, { hold: true });
  await a.settled();
  assert.equal(store.streamVersion('line:l1'), 3, 'settled() commits what is held');

  void a.record([{ type: 'Traffic', data: { dir: 'out', text: 'again' } }], undefined, { hold: true });
  const r = await a.decideEvent({ type: 'CallStarted', data: {} });
  assert.equal(r.ok, true);
  assert.deepEqual(commits.slice(-1), [['Traffic:again', 'CallStarted']], 'a decision appends after the held record, in one commit');
  assert.equal(a.snapshot().value, 'busy');
});

test('a checked event is appended as built (no zod parse): its schema\'s defaults and stripping do not apply', async (t) => {
  const { runtime, kind, store, cleanup } = setupLine();
  t.after(cleanup);
  const a = await runtime.create(kind, 'l1', [{ type: 'Opened', data: {} }]);
  const [parsed] = await a.record([{ type: 'Traffic', data: { dir: 'in', text: 'x', extra: 1 } }]);
  assert.deepEqual(JSON.parse(parsed!.dataText), { dir: 'in', text: 'x' }, 'an unchecked event is parsed (unknown keys stripped)');
  const [checked] = await a.record([checkedEvent('Traffic', Traffic, { dir: 'out', text: 'y' }, '{"dir":"out","text":"y"}')]);
  assert.equal(checked!.dataText, '{"dir":"out","text":"y"}', 'stored byte for byte');
  assert.throws(() => a.record([{ type: 'Traffic', data: { dir: 'sideways', text: 'z' } }]), /invalid Traffic event/);
  assert.equal(store.streamVersion('line:l1'), 3);
});

test('a quiescent state is snapshotted once it has lasted, not at each return to it; stop() takes a snapshot that is due', async (t) => {
  const { runtime, kind, store, cleanup } = setupLine();
  t.after(cleanup);
  const a = await runtime.create(kind, 'l1', [{ type: 'Opened', data: {} }]);
  await a.record([{ type: 'CallStarted', data: {} }]);
  await a.record([{ type: 'CallEnded', data: {} }]);
  await store.flush();
  assert.equal(store.loadSnapshot('line:l1'), undefined, 'not on the reply\'s path');
  const saved = await eventually(() => store.loadSnapshot('line:l1'), 10_000, 'the snapshot of the idle line');
  assert.equal(saved.streamPosition, 3);
  assert.equal((saved.snapshot as { value: string }).value, 'idle');

  const b = await runtime.create(kind, 'l2', [{ type: 'Opened', data: {} }]);
  await b.record([{ type: 'CallStarted', data: {} }]);
  await b.record([{ type: 'CallEnded', data: {} }]);
  runtime.evict('line:l2');
  await store.flush();
  assert.equal(store.loadSnapshot('line:l2')?.streamPosition, 3, 'the stop took it');
});
