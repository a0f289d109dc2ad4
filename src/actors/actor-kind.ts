// What the runtime needs to know about one kind of journaled actor (session, agent process, ...).
import type { AnyStateMachine, EventObject, SnapshotFrom } from 'xstate';
import type { JournaledActor } from './journaled-actor.js';

/**
 * Effects are XState `emit()`ed events. The live actor's emitted events go to `onEffect` after the event that
 * caused them was committed; during replay (pure `transition()`) they are returned as data and dropped, so no
 * effect ever runs twice. Two effect types are handled by the runtime itself (durable timers):
 *   { type: 'timer.set', timerId, dueAt, event }   and   { type: 'timer.clear', timerId }
 */
export interface ActorKind<M extends AnyStateMachine = AnyStateMachine> {
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
  /** runs the machine's effects (live only) */
  onEffect?: (actor: JournaledActor<M>, effect: EventObject) => void;
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
