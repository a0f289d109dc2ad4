// Restore = newest snapshot whose machine version matches + the tail of the stream folded with XState's pure
// `transition()`. No effect runs here: the actions `transition()` returns are dropped (runtime-tech.md §1.2, 3b/7).
import { createActor, initialTransition, transition, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import type { EventStore, Snapshot } from '../store/types.js';
import type { EventCatalogue } from '../events/catalogue.js';
import type { ActorKind } from './actor-kind.js';
import { foldedMachineEvent } from './journaled-actor.js';

export interface FoldedStream<M extends AnyStateMachine> {
  /** a folded snapshot, or the persisted one as stored when it covers the whole stream (createActor takes both) */
  snapshot: SnapshotFrom<M>;
  version: number;
  /** events folded by `transition()` (0 when a snapshot covered everything) */
  foldedEvents: number;
  usedSnapshot: boolean;
  /** the machine reached a final state */
  done: boolean;
  /** `snapshot` is the persisted snapshot as stored (JSON), not a folded machine snapshot */
  asStored: boolean;
}

/** What the caller already knows about the stream (boot reads every snapshot and version in one pass each). */
export interface KnownStream {
  version: number;
  snapshot: Snapshot | undefined;
}

const PAGE = 1000;

export function foldStream<M extends AnyStateMachine>(
  store: EventStore,
  catalogue: EventCatalogue,
  kind: ActorKind<M>,
  streamId: string,
  known?: KnownStream,
): FoldedStream<M> {
  const saved = known ? known.snapshot : store.loadSnapshot(streamId);
  const usable = saved !== undefined && saved.machineVersion === kind.machineVersion ? saved : undefined;
  if (usable && known && usable.streamPosition >= known.version) {
    // the snapshot covers the whole stream: go live from it as stored, no read, no hydration for transition()
    return asStored(usable, usable.streamPosition);
  }
  // Hydrated only when the tail holds an event the machine folds: after a snapshot a stream often ends with events
  // that change no state (the raw protocol traffic of a session's close, of an agent's last words), and hydrating
  // a snapshot for transition() costs more than reading the tail (runtime-tech.md §1.2, 3c/3d).
  let state: SnapshotFrom<M> | undefined;
  let version = usable ? usable.streamPosition : 0;
  if (!usable) state = initialTransition(kind.machine as AnyStateMachine)[0] as SnapshotFrom<M>;
  let folded = 0;
  for (;;) {
    const page = store.readStream(streamId, version + 1, PAGE);
    for (const e of page) {
      version = e.streamPosition;
      if (!kind.foldedTypes.has(e.type)) {
        // still checked: an unknown type in the log is an error that names its position
        if (!catalogue.has(e.type)) catalogue.decode(e.position, e.type, undefined);
        continue;
      }
      const decoded = catalogue.decode(e.position, e.type, e.data);
      // transition() needs a hydrated snapshot, not the persisted JSON
      const from: SnapshotFrom<M> = state ?? (createActor(kind.machine as AnyStateMachine, { snapshot: usable!.snapshot as never }).getSnapshot() as SnapshotFrom<M>);
      state = transition(kind.machine, from, foldedMachineEvent(e, decoded.data, decoded.type) as never)[0] as SnapshotFrom<M>;
      folded++;
    }
    if (page.length < PAGE) break;
  }
  // nothing after the snapshot changed the state: the stored snapshot stands, at the stream's version
  if (state === undefined) return asStored(usable!, version, known !== undefined);
  return { snapshot: state, version, foldedEvents: folded, usedSnapshot: usable !== undefined, done: (state as { status?: unknown }).status === 'done', asStored: false };
}

/** The persisted snapshot as the state at `version` (`asStored`: kept as stored until the actor is needed). */
function asStored<M extends AnyStateMachine>(saved: Snapshot, version: number, deferred = true): FoldedStream<M> {
  const persisted = saved.snapshot as { status?: unknown };
  return { snapshot: persisted as SnapshotFrom<M>, version, foldedEvents: 0, usedSnapshot: true, done: persisted.status === 'done', asStored: deferred };
}
