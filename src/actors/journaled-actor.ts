// One live XState actor whose every input is journaled. Inputs are appended to the actor's stream first; only after
// the commit is the event sent to the live actor, so its effects (emitted events) and the replies built from its
// state never get ahead of the log. Facts (`record`) are pipelined: many can be in flight, and they are folded in
// commit order. Commands (`decide`) wait until everything in flight is folded, decide against that state, append,
// and fold after the commit.
import { createActor, type Actor, type AnyMachineSnapshot, type AnyStateMachine, type EventObject, type SnapshotFrom } from 'xstate';
import type { AppendFence, AppendOptions, EventMeta, EventStore, NewEvent, RecordedEvent } from '../store/types.js';
import { isCheckedEvent, type EventCatalogue } from '../events/catalogue.js';
import { isRejection, type ActorKind, type Decision } from './actor-kind.js';
import { HeldRecords, HOLD_MS, type RecordOptions } from './held-records.js';
import { foldedMachineEvent, toMachineEvent } from './machine-event.js';
import { ActorConflictError, type DecideResult } from './actor-outcomes.js';

export type { Decision } from './actor-kind.js';
export type { RecordOptions } from './held-records.js';
export { foldedMachineEvent, toMachineEvent } from './machine-event.js';
export { ActorConflictError, type DecideResult } from './actor-outcomes.js';
const LINGER: AppendOptions = { linger: true };
/** how long a quiescent state must last before it is snapshotted (ms) */
const QUIESCENT_SNAPSHOT_MS = 1000;

export interface JournaledActorHost {
  readonly store: EventStore;
  readonly catalogue: EventCatalogue;
  readonly snapshotEvery: number;
  /** generic effects (timers) and the kind's effects */
  dispatchEffect(actor: JournaledActor<AnyStateMachine>, effect: EventObject): void;
  /**
   * The fence every append of the stream carries (a cluster: the lease of the actor the stream belongs to). Absent
   * on a single node: appends then carry none and cost nothing more.
   */
  readonly fenceFor?: (streamId: string, events: readonly NewEvent[]) => AppendFence | undefined;
  /** called when the actor can no longer be trusted (storage failure, foreign writer) */
  onBroken(actor: JournaledActor<AnyStateMachine>, error: Error): void;
}

// one resolved promise for every actor that has appended nothing yet (most restored sessions): not one each
const SETTLED: Promise<void> = Promise.resolve();

export class JournaledActor<M extends AnyStateMachine = AnyStateMachine> {
  private liveActor: Actor<M> | undefined;
  /**
   * The persisted snapshot a restored actor went live from, as stored, until something needs the XState actor
   * (an append, a decision): reads are answered from it. Creating and starting an XState actor is most of the cost
   * of restoring a stream, and most restored sessions sit idle.
   */
  private restored: SnapshotFrom<M> | undefined;
  private stopped = false;
  /** a cluster node's copy of an actor another node runs: folded from the log for reads, never driven here */
  following = false;
  private applied: number;
  private next: number;
  private inFlight = 0;
  private settledPromise: Promise<void> = SETTLED;
  private sinceSnapshot = 0;
  private brokenBy: Error | undefined;
  private readonly held = new HeldRecords(() => this.releaseHeld(LINGER), HOLD_MS);
  /** a quiescent snapshot that is due (maybeSnapshot), and the version of the last one saved */
  private snapshotLater: NodeJS.Timeout | undefined;
  private snapshotAt = -1;

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

  /** Resolves when every append made so far (held records included) is committed and folded (or failed). */
  settled(): Promise<void> {
    this.releaseHeld();
    return this.settledPromise;
  }

  /**
   * Append facts (outcomes of effects, protocol traffic); they are folded after the commit, in order. With `hold`,
   * they wait for the stream's next append (HeldRecords) and resolve with its commit.
   */
  record(events: readonly NewEvent[], meta?: EventMeta, options?: RecordOptions): Promise<RecordedEvent[]> {
    if (this.brokenBy) return Promise.reject(this.brokenBy);
    if (events.length === 0) return Promise.resolve([]);
    const normalized: NewEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      // the gateway's own hot-path events were checked by the compiler (CheckedEvent); the rest are parsed here
      const data = isCheckedEvent(e) ? e.data : this.host.catalogue.validate(e.type, e.data);
      // the store serialises meta at call time: the caller's object can be shared, not copied per event
      const m = e.meta ? { ...meta, ...e.meta } : meta;
      normalized[i] = e.dataText !== undefined ? { type: e.type, data, meta: m, dataText: e.dataText } : { type: e.type, data, meta: m };
    }
    if (options?.hold) return this.held.add(normalized);
    return this.append(normalized, options); // every other option (linger, ...) is the store's
  }

  /** Append `events` after whatever is held; resolves with the recorded `events`. */
  private append(events: NewEvent[], options: AppendOptions | undefined): Promise<RecordedEvent[]> {
    const held = this.held.take();
    const batch = held ? held.events.concat(events) : events;
    const expected = this.next;
    this.next += batch.length;
    this.inFlight++;
    const fence = this.host.fenceFor?.(this.streamId, batch);
    if (fence !== undefined) options = { ...options, fence };
    const result = this.host.store.appendToStream(this.streamId, expected, batch, options).then(
      (r) => {
        this.inFlight--;
        if (!r.ok) {
          const err = new ActorConflictError(this.streamId, expected, r.actual);
          this.markBroken(err);
          held?.settle(err);
          throw err;
        }
        this.fold(r.events, batch);
        if (!held) return r.events;
        held.settle(r.events);
        return r.events.slice(held.events.length);
      },
      (err: Error) => {
        this.inFlight--;
        this.markBroken(err);
        held?.settle(err);
        throw err;
      },
    );
    this.settledPromise = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Records held too long, or asked for (settled, stop): appended on their own. */
  private releaseHeld(options?: AppendOptions): void {
    if (this.held.size === 0) return;
    if (this.brokenBy) return this.held.take()!.settle(this.brokenBy);
    this.append([], options).catch(() => undefined); // their own promises carry the outcome
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
    this.releaseHeld();
    if (this.snapshotLater !== undefined) {
      // the quiescent snapshot that was due is taken now (a later boot replays less)
      clearTimeout(this.snapshotLater);
      this.snapshotLater = undefined;
      try {
        if (this.snapshotDue()) this.saveSnapshot();
      } catch {
        /* the store is closed already: a snapshot only saves replay work */
      }
    }
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

  /**
   * Snapshot every N events, and once the machine has stayed for QUIESCENT_SNAPSHOT_MS in a state the kind calls
   * quiescent (a session between turns). A snapshot only saves replay work: taking one after every turn (the
   * persisted form, serialised, a row in the next commit) would cost each turn, on its reply's path, what a boot
   * saves by not replaying a few events. Stopping the actor (shutdown, eviction) takes one that is due.
   */
  private maybeSnapshot(stateChanged: boolean): void {
    const every = this.kind.snapshotEvery ?? this.host.snapshotEvery;
    if (this.sinceSnapshot >= every) this.saveSnapshot();
    else if (stateChanged && this.kind.snapshotWhen?.(this.snapshot())) {
      if (this.snapshotLater !== undefined) this.snapshotLater.refresh();
      else {
        this.snapshotLater = setTimeout(() => {
          this.snapshotLater = undefined;
          if (!this.stopped && this.snapshotDue()) this.saveSnapshot();
        }, QUIESCENT_SNAPSHOT_MS);
        this.snapshotLater.unref();
      }
    }
  }

  private snapshotDue(): boolean {
    return !this.brokenBy && this.snapshotAt !== this.applied && this.kind.snapshotWhen?.(this.snapshot()) === true;
  }

  private saveSnapshot(): void {
    this.sinceSnapshot = 0;
    this.snapshotAt = this.applied;
    this.host.store.saveSnapshot({
      streamId: this.streamId,
      streamPosition: this.applied,
      machineVersion: this.kind.machineVersion,
      snapshot: this.persistedSnapshot(),
    });
  }

  private markBroken(err: Error): void {
    if (this.brokenBy) return;
    this.brokenBy = err;
    this.host.onBroken(this as never, err);
  }
}
