// What the runtime needs to know about one kind of journaled actor (session, agent process, orchestration, ...).
//
// The shape every kind follows:
//   - commands are a typed union C; `decide(command, state)` is one pure function per kind that returns the events to
//     append or a Rejection (a domain code, mapped to HTTP/WS/MCP errors only at those edges: src/errors/rejection.ts);
//   - the XState machine is the fold; its guards use the same predicates as decide;
//   - effects are a typed union the machine emits, each handled by a named handler in `effects`, which runs only after
//     the event that asked for it is committed (append before act); handlers record the outcome as events.
import type { AnyStateMachine, EmittedFrom, SnapshotFrom } from 'xstate';
import type { NewEvent } from '../store/types.js';
import type { JournaledActor } from './journaled-actor.js';

/** A command refused by decide: nothing is appended. `reject` is a domain code (see src/errors/rejection.ts). */
export interface Rejection {
  reject: string;
  message?: string;
  details?: Record<string, unknown>;
}

/** What decide returns: the events to append (possibly none: an accepted no-op) or a rejection. */
export type Decision = readonly NewEvent[] | Rejection;

export function isRejection(d: Decision): d is Rejection {
  return !Array.isArray(d);
}

/** The pure decider of a kind: same inputs, same answer, no I/O (tests call it with a snapshot from `transition()`). */
export type Decider<M extends AnyStateMachine, C> = (command: C, state: SnapshotFrom<M>) => Decision;

/** Effect types the runtime handles itself (durable timers). */
export type RuntimeEffectType = 'timer.set' | 'timer.clear';

/** The kind's own effects: what its machine emits, less the runtime's. */
export type KindEffect<M extends AnyStateMachine> = Exclude<EmittedFrom<M>, { type: RuntimeEffectType }>;

/**
 * One named handler per effect type, typed by the machine's `emitted` union: no casts between emit and handler.
 * A handler's returned promise is awaited only to log its failure.
 */
export type EffectHandlers<M extends AnyStateMachine> = {
  [K in KindEffect<M>['type']]: (actor: JournaledActor<M>, effect: Extract<KindEffect<M>, { type: K }>) => void | Promise<void>;
};

/**
 * Effects are XState `emit()`ed events. The live actor's emitted events go to their handler in `effects` after the
 * event that caused them was committed; during replay (pure `transition()`) they are returned as data and dropped, so no
 * effect ever runs twice. Two effect types are handled by the runtime itself (durable timers):
 *   { type: 'timer.set', timerId, dueAt, event }   and   { type: 'timer.clear', timerId }
 */
export interface ActorKind<M extends AnyStateMachine = AnyStateMachine, C = never> {
  /** the stream id prefix: streams are `<streamType>:<id>` */
  streamType: string;
  machine: M;
  /**
   * Bump when the machine's structure changes: snapshots taken by another version are ignored and the stream is
   * folded from its first event instead.
   */
  machineVersion: string;
  /** event types the machine folds; other types of the stream (raw protocol traffic) are recorded, not folded */
  foldedTypes: ReadonlySet<string>;
  /** snapshot after this many events since the last snapshot (default: the runtime's setting) */
  snapshotEvery?: number;
  /** also snapshot whenever this returns true after an event (e.g. quiescent states), for cheap restores */
  snapshotWhen?: (snapshot: SnapshotFrom<M>) => boolean;
  /**
   * Whether a stream whose machine is in a final state is made live at boot (default true). Kinds whose finished
   * streams no route reads (agent processes that exited) say false: boot then skips them, which keeps boot time
   * and memory proportional to what is open.
   */
  restoreFinished?: boolean;
  /**
   * Event types after which the machine is in a final state, whatever state it was in. With `restoreFinished:
   * false`, boot skips a stream whose last event has one of these types without reading its snapshot.
   */
  finalEventTypes?: ReadonlySet<string>;
  /** the kind's pure decider, used by `JournaledActor.execute(command)` */
  decide?: Decider<M, C>;
  /** the handlers of the machine's effects (live only, after the commit) */
  effects?: Partial<EffectHandlers<M>>;
}

export interface TimerSetEffect {
  type: 'timer.set';
  timerId: string;
  /** ms since the epoch */
  dueAt: number;
  /** the stream event to decide when the timer fires: `{ type, ...data }` */
  event: { type: string } & Record<string, unknown>;
}

export interface TimerClearEffect {
  type: 'timer.clear';
  timerId: string;
}
