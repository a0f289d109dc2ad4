// One live XState actor whose every input is journaled. Inputs are appended to the actor's stream first; only after
// the commit is the event sent to the live actor, so its effects (emitted events) and the replies built from its
// state never get ahead of the log. Facts (`record`) are pipelined: many can be in flight, and they are folded in
// commit order. Commands (`decide`) wait until everything in flight is folded, decide against that state, append,
// and fold after the commit.
import { createActor, type Actor, type AnyMachineSnapshot, type AnyStateMachine, type EventObject, type SnapshotFrom } from 'xstate';
import type { AppendOptions, EventMeta, EventStore, NewEvent, RecordedEvent } from '../store/types.js';
import type { EventCatalogue } from '../events/catalogue.js';
import { isRejection, type ActorKind, type Decision } from './actor-kind.js';

export type { Decision } from './actor-kind.js';

export type DecideResult =
  | { ok: true; events: RecordedEvent[] }
  | { ok: false; reason: string; message?: string; details?: Record<string, unknown> };

export class ActorConflictError extends Error {
  constructor(streamId: string, expected: number, actual: number) {
    super(`stream ${streamId} was written by someone else (expected version ${expected}, found ${actual})`);
  }
}

export interface JournaledActorHost {
  readonly store: EventStore;
  readonly catalogue: EventCatalogue;
  readonly snapshotEvery: number;
  /** generic effects (timers) and the kind's effects */
  dispatchEffect(actor: JournaledActor<AnyStateMachine>, effect: EventObject): void;
  /** called when the actor can no longer be trusted (storage failure, foreign writer) */
  onBroken(actor: JournaledActor<AnyStateMachine>, error: Error): void;
}

export function toMachineEvent(type: string, data: unknown): EventObject {
  return data !== null && typeof data === 'object' && !Array.isArray(data)
    ? { ...(data as Record<string, unknown>), type }
    : { type };
}

/**
 * The machine event for a committed event: its data, plus `$at` (commit time) and `$pos` (log position) so machines
 * can keep timestamps and cursors that are the same live and on replay.
 */
export function foldedMachineEvent(e: RecordedEvent, data: unknown, type = e.type): EventObject {
  const ev = toMachineEvent(type, data) as EventObject & { $at?: number; $pos?: number };
  ev.$at = e.at;
  ev.$pos = e.position;
  return ev;
}

export class JournaledActor<M extends AnyStateMachine = AnyStateMachine> {
  private liveActor: Actor<M> | undefined;
  /**
   * The persisted snapshot a restored actor went live from, as stored, until something needs the XState actor
   * (an append, a decision): reads are answered from it. Creating and starting an XState actor is most of the cost
   * of restoring a stream, and most restored sessions sit idle.
   */
  private restored: SnapshotFrom<M> | undefined;
  private stopped = false;
  private applied: number;
  private next: number;
  private inFlight = 0;
  private settledPromise: Promise<void> = Promise.resolve();
  private sinceSnapshot = 0;
  private brokenBy: Error | undefined;

  constructor(
    readonly streamId: string,
    readonly kind: ActorKind<M>,
    private readonly host: JournaledActorHost,
    /** the folded snapshot to go live from (undefined = a new stream) */
    snapshot: SnapshotFrom<M> | undefined,
    version: number,
    /** `snapshot` is a persisted snapshot as stored (JSON): keep it, and create the XState actor on first need */
    deferred = false,
  ) {
    this.applied = version;
    this.next = version;
    if (deferred && snapshot !== undefined) this.restored = snapshot;
    else this.liveActor = this.startActor(snapshot);
  }

  private startActor(snapshot: SnapshotFrom<M> | undefined): Actor<M> {
    // XState's generic option types do not line up for a machine type parameter; the runtime only needs AnyStateMachine.
    const machine = this.kind.machine as AnyStateMachine;
    const actor = (snapshot === undefined ? createActor(machine) : createActor(machine, { snapshot: snapshot as never })) as Actor<M>;
    actor.on('*', (effect: EventObject) => this.host.dispatchEffect(this as never, effect));
    if (!this.stopped) actor.start(); // a stopped actor answers reads, never runs an effect
    return actor;
  }

  /** The XState actor, created from the stored snapshot the first time it is needed. */
  private get live(): Actor<M> {
    if (this.liveActor === undefined) {
      this.liveActor = this.startActor(this.restored);
      this.restored = undefined;
    }
    return this.liveActor;
  }

  /** The id after the stream type prefix. */
  get id(): string {
    return this.streamId.slice(this.kind.streamType.length + 1);
  }

  /** The state folded from every committed event so far (never ahead of the log). */
  snapshot(): SnapshotFrom<M> {
    // not yet live: the stored snapshot has the same status, value and context (it has no methods: decide() uses live)
    if (this.restored !== undefined) return this.restored;
    return this.live.getSnapshot() as SnapshotFrom<M>;
  }

  /** The JSON-safe persisted form of `snapshot()` (what snapshots store). */
  persistedSnapshot(): unknown {
    if (this.restored !== undefined) return this.restored;
    return this.live.getPersistedSnapshot();
  }

  /** The stream version folded into `snapshot()`. */
  get version(): number {
    return this.applied;
  }

  get broken(): Error | undefined {
    return this.brokenBy;
  }

  /** Resolves when every append made so far is committed and folded (or failed). */
  settled(): Promise<void> {
    return this.settledPromise;
  }

  /** Append facts (outcomes of effects, protocol traffic); they are folded after the commit, in order. */
  record(events: readonly NewEvent[], meta?: EventMeta, options?: AppendOptions): Promise<RecordedEvent[]> {
    if (this.brokenBy) return Promise.reject(this.brokenBy);
    if (events.length === 0) return Promise.resolve([]);
    const normalized = events.map((e) => ({
      type: e.type,
      data: this.host.catalogue.validate(e.type, e.data),
      meta: meta || e.meta ? { ...meta, ...e.meta } : undefined,
      ...(e.dataText !== undefined ? { dataText: e.dataText } : {}),
    }));
    const expected = this.next;
    this.next += normalized.length;
    this.inFlight++;
    const result = this.host.store.appendToStream(this.streamId, expected, normalized, options).then(
      (r) => {
        this.inFlight--;
        if (!r.ok) {
          const err = new ActorConflictError(this.streamId, expected, r.actual);
          this.markBroken(err);
          throw err;
        }
        this.fold(r.events, normalized);
        return r.events;
      },
      (err: Error) => {
        this.inFlight--;
        this.markBroken(err);
        throw err;
      },
    );
    this.settledPromise = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /**
   * Decide a command against the committed state. The decider sees the snapshot after every earlier append was
   * folded, and returns the events to append or a rejection. Nothing is appended for a rejection.
   */
  async decide(decider: (snapshot: SnapshotFrom<M>) => Decision, meta?: EventMeta): Promise<DecideResult> {
    while (this.inFlight > 0) await this.settledPromise;
    if (this.brokenBy) throw this.brokenBy;
    const decision = decider(this.live.getSnapshot() as SnapshotFrom<M>);
    if (isRejection(decision)) return { ok: false, reason: decision.reject, message: decision.message, details: decision.details };
    const events = await this.record(decision, meta);
    return { ok: true, events };
  }

  /** Decide a command of the kind's command union with the kind's pure decider (ActorKind.decide). */
  execute<C>(command: C, meta?: EventMeta): Promise<DecideResult> {
    const decide = (this.kind as ActorKind<M, C>).decide;
    if (!decide) return Promise.reject(new Error(`actor kind ${this.kind.streamType} has no decider`));
    return this.decide((s) => decide(command, s), meta);
  }

  /** Decide one event: accepted when the machine has a transition for it in the current state. */
  decideEvent(event: NewEvent, meta?: EventMeta, rejection = 'not_allowed'): Promise<DecideResult> {
    return this.decide(
      (s) => ((s as AnyMachineSnapshot).can(toMachineEvent(event.type, event.data)) ? [event] : { reject: rejection }),
      meta,
    );
  }

  /** Stop the live actor (no effects after this). */
  stop(): void {
    this.stopped = true;
    this.liveActor?.stop();
  }

  private fold(recorded: readonly RecordedEvent[], normalized: readonly { type: string; data: unknown }[]): void {
    let folded = false;
    for (let i = 0; i < recorded.length; i++) {
      const e = recorded[i]!;
      this.applied = e.streamPosition;
      this.sinceSnapshot++;
      if (this.kind.foldedTypes.has(e.type)) {
        folded = true;
        this.live.send(foldedMachineEvent(e, normalized[i]!.data) as never);
      }
    }
    this.maybeSnapshot(folded);
  }

  /** Snapshot every N events, and when a folded event left the machine in a state the kind calls quiescent. */
  private maybeSnapshot(stateChanged: boolean): void {
    const every = this.kind.snapshotEvery ?? this.host.snapshotEvery;
    if (this.sinceSnapshot >= every || (stateChanged && this.kind.snapshotWhen?.(this.snapshot()))) {
      this.sinceSnapshot = 0;
      this.host.store.saveSnapshot({
        streamId: this.streamId,
        streamPosition: this.applied,
        machineVersion: this.kind.machineVersion,
        snapshot: this.persistedSnapshot(),
      });
    }
  }

  private markBroken(err: Error): void {
    if (this.brokenBy) return;
    this.brokenBy = err;
    this.host.onBroken(this as never, err);
  }
}
