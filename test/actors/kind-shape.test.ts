// The shape every actor kind follows: a typed command union decided by one pure function, and typed effects handled
// by named handlers after the commit. Given events → when command → then events, plus the effect reaching its handler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assign, emit, setup, initialTransition, transition } from 'xstate';
import { z } from 'zod';
import { openEventStore } from '../../src/store/index.js';
import { EventCatalogue } from '../../src/events/catalogue.js';
import { ActorRuntime } from '../../src/actors/runtime.js';
import { isRejection, type ActorKind, type Decider } from '../../src/actors/actor-kind.js';
import { Rejected, rejectionStatus, rejectionToHttp } from '../../src/errors/rejection.js';
import { HttpError } from '../../src/errors/http-error.js';
import { silentLogger } from '../../src/log/logger.js';

type CounterEvent = { type: 'Started' } | { type: 'Bumped'; by: number };
type CounterEffect = { type: 'effect.announce'; total: number };
type CounterCommand = { type: 'bump'; by: number } | { type: 'start' };

const canBump = (total: number, by: number) => by > 0 && total + by <= 10;

const counter = setup({
  types: { context: {} as { total: number }, events: {} as CounterEvent, emitted: {} as CounterEffect },
  guards: { canBump: ({ context, event }) => event.type === 'Bumped' && canBump(context.total, event.by) },
}).createMachine({
  id: 'counter',
  initial: 'new',
  context: { total: 0 },
  states: {
    new: { on: { Started: 'counting' } },
    counting: {
      on: {
        Bumped: {
          guard: 'canBump',
          actions: [assign({ total: ({ context, event }) => context.total + event.by }), emit(({ context }) => ({ type: 'effect.announce' as const, total: context.total }))],
        },
      },
    },
  },
});

const decide: Decider<typeof counter, CounterCommand> = (command, state) => {
  switch (command.type) {
    case 'start':
      return state.value === 'new' ? [{ type: 'Started', data: {} }] : { reject: 'already_started' };
    case 'bump':
      if (state.value !== 'counting') return { reject: 'not_started', message: 'start the counter first' };
      return canBump(state.context.total, command.by) ? [{ type: 'Bumped', data: { by: command.by } }] : { reject: 'too_much', details: { total: state.context.total } };
  }
};

test('decide is pure: given events, when a command, then events or a rejection (no server, no store)', () => {
  let [state] = initialTransition(counter);
  for (const e of [{ type: 'Started' }, { type: 'Bumped', by: 4 }] as CounterEvent[]) [state] = transition(counter, state, e);
  assert.deepEqual(decide({ type: 'bump', by: 6 }, state), [{ type: 'Bumped', data: { by: 6 } }]);
  const refused = decide({ type: 'bump', by: 7 }, state);
  assert.ok(isRejection(refused));
  assert.equal(refused.reject, 'too_much');
  assert.deepEqual(refused.details, { total: 4 });
  // the guard and the decider share the predicate: what decide refuses, the fold would not take either
  const [same] = transition(counter, state, { type: 'Bumped', by: 7 });
  assert.equal(same.context.total, 4);
});

test('execute appends what decide returns, and the typed effect reaches its named handler after the commit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-shape-'));
  const store = openEventStore({ path: join(dir, 'log.db') });
  try {
    const catalogue = new EventCatalogue();
    catalogue.define('Started', z.object({}));
    catalogue.define('Bumped', z.object({ by: z.number() }));
    const runtime = new ActorRuntime({ store, catalogue, logger: silentLogger });
    const announced: { total: number; version: number }[] = [];
    const kind: ActorKind<typeof counter, CounterCommand> = {
      streamType: 'counter',
      machine: counter,
      machineVersion: 'counter-1',
      foldedTypes: new Set(['Started', 'Bumped']),
      decide,
      effects: {
        // effect is typed CounterEffect here: `total` needs no cast; the event that asked for it is already in the log
        'effect.announce': (actor, effect) => void announced.push({ total: effect.total, version: store.streamVersion(actor.streamId) }),
      },
    };
    runtime.register(kind);
    const a = await runtime.create(kind, 'c1', []).catch(() => undefined);
    assert.equal(a !== undefined, true);
    assert.equal((await a!.execute<CounterCommand>({ type: 'start' })).ok, true);
    const bumped = await a!.execute<CounterCommand>({ type: 'bump', by: 3 });
    assert.equal(bumped.ok, true);
    const refused = await a!.execute<CounterCommand>({ type: 'bump', by: 30 });
    assert.deepEqual(refused, { ok: false, reason: 'too_much', message: undefined, details: { total: 3 } });
    assert.deepEqual(announced, [{ total: 3, version: 2 }]);
    assert.equal(store.streamVersion('counter:c1'), 2, 'a rejection appends nothing');
    runtime.stop();
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a domain rejection becomes the API error only at the edge', () => {
  const e = rejectionToHttp(new Rejected('session_busy', "session 'x' is already prompting"));
  assert.ok(e instanceof HttpError);
  assert.equal(e.status, 409);
  assert.equal(e.code, 'session_busy');
  assert.equal(rejectionStatus('agent_not_found'), 404);
  assert.equal(rejectionStatus('budget_exceeded'), 429);
  const other = new Error('x');
  assert.equal(rejectionToHttp(other), other);
});
