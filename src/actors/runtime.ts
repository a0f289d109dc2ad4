// The actor runtime: owns the live journaled actors of every registered kind, creates them (appending their first
// events), restores them at boot from snapshot + tail, and runs the durable timers their machines ask for.
import type { AnyStateMachine, EventObject } from 'xstate';
import type { AppendFence, DurableTimer, EventMeta, EventStore, NewEvent } from '../store/types.js';
import type { EventCatalogue } from '../events/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { ActorKind, TimerClearEffect, TimerSetEffect } from './actor-kind.js';
import { JournaledActor, type JournaledActorHost } from './journaled-actor.js';
import { foldStream } from './replay.js';
import { TimerWheel } from './timer-wheel.js';

export interface ActorRuntimeOptions {
  store: EventStore;
  catalogue: EventCatalogue;
  logger: Logger;
  /** snapshot a stream after this many events (default 200) */
  snapshotEvery?: number;
  now?: () => number;
  /** a cluster node: the fence of every append (src/cluster/ownership.ts); absent on a single node */
  fenceFor?: (streamId: string, events: readonly NewEvent[]) => AppendFence | undefined;
  /** a cluster node: take the lease of a new actor's stream before its first append (throws when it cannot) */
  claim?: (streamId: string) => Promise<void>;
}

export interface RestoreReport {
  streams: number;
  foldedEvents: number;
  fromSnapshot: number;
  /** finished streams of kinds that do not keep them live */
  skippedFinished: number;
  timers: number;
}

export class StreamExistsError extends Error {
  constructor(streamId: string) {
    super(`stream ${streamId} already exists`);
  }
}

export class ActorRuntime implements JournaledActorHost {
  readonly store: EventStore;
  readonly catalogue: EventCatalogue;
  readonly snapshotEvery: number;
  readonly timers: TimerWheel;
  readonly fenceFor?: (streamId: string, events: readonly NewEvent[]) => AppendFence | undefined;
  private readonly claim?: (streamId: string) => Promise<void>;
  private readonly logger: Logger;
  /**
   * A cluster node: streams another node appended to since they were folded here (or never folded here). Their
   * actors are followers: refolded from the log when read (get, list), never driven from here (no effect, no append).
   */
  private readonly stale = new Set<string>();
  private readonly kinds = new Map<string, ActorKind<AnyStateMachine>>();
  private readonly actors = new Map<string, JournaledActor<AnyStateMachine>>();
  /** the same actors by stream type, so that listing one kind does not walk every actor (boot lists each kind) */
  private readonly byType = new Map<string, Map<string, JournaledActor<AnyStateMachine>>>();

  constructor(options: ActorRuntimeOptions) {
    this.store = options.store;
    this.catalogue = options.catalogue;
    this.logger = options.logger;
    this.snapshotEvery = options.snapshotEvery ?? 200;
    if (options.fenceFor) this.fenceFor = options.fenceFor;
    if (options.claim) this.claim = options.claim;
    this.timers = new TimerWheel(this.store, (t) => this.fireTimer(t), options.now);
  }

  register<M extends AnyStateMachine>(kind: ActorKind<M>): void {
    if (this.kinds.has(kind.streamType)) throw new Error(`actor kind registered twice: ${kind.streamType}`);
    this.kinds.set(kind.streamType, kind as unknown as ActorKind<AnyStateMachine>);
  }

  /** Create a new actor whose stream must not exist yet, and append its first events. */
  async create<M extends AnyStateMachine>(
    kind: ActorKind<M>,
    id: string,
    firstEvents: readonly NewEvent[],
    meta?: EventMeta,
  ): Promise<JournaledActor<M>> {
    const streamId = `${kind.streamType}:${id}`;
    if (this.actors.has(streamId) || this.store.streamVersion(streamId) > 0) throw new StreamExistsError(streamId);
    await this.claim?.(streamId);
    const actor = new JournaledActor<M>(streamId, kind, this, undefined, 0);
    this.put(actor as never);
    try {
      await actor.record(firstEvents, meta);
    } catch (e) {
      actor.stop();
      this.drop(streamId);
      throw e;
    }
    return actor;
  }

  get<M extends AnyStateMachine = AnyStateMachine>(streamId: string): JournaledActor<M> | undefined {
    if (this.stale.size > 0 && this.stale.has(streamId)) this.refresh(streamId);
    return this.actors.get(streamId) as JournaledActor<M> | undefined;
  }

  /** Live actors of one kind, in creation order. */
  list<M extends AnyStateMachine = AnyStateMachine>(streamType: string): JournaledActor<M>[] {
    if (this.stale.size > 0) for (const id of [...this.stale]) if (id.startsWith(`${streamType}:`)) this.refresh(id);
    const ofType = this.byType.get(streamType);
    return ofType ? ([...ofType.values()] as never) : [];
  }

  /** Fold one stream from the log and make it live (replacing a broken actor if there is one). */
  restore<M extends AnyStateMachine>(streamId: string): JournaledActor<M> {
    const kind = this.kinds.get(streamId.slice(0, streamId.indexOf(':')));
    if (!kind) throw new Error(`no actor kind registered for stream ${streamId}`);
    return this.goLive(kind, streamId).actor as never;
  }

  /**
   * Boot: make every stream of every registered kind live again, then re-arm the durable timers. `accept` narrows
   * both to some streams (a cluster node: the actors whose lease it holds).
   */
  restoreAll(accept?: (streamId: string) => boolean): RestoreReport {
    const report: RestoreReport = { streams: 0, foldedEvents: 0, fromSnapshot: 0, skippedFinished: 0, timers: 0 };
    for (const kind of this.kinds.values()) {
      const prefix = `${kind.streamType}:`;
      // finished streams a kind does not keep live are known by their last event: their snapshots are not even read
      const skipByLastEvent = kind.restoreFinished === false && kind.finalEventTypes !== undefined;
      const lastTypes = skipByLastEvent ? this.store.lastEventTypes(prefix) : undefined;
      if (lastTypes !== undefined && allFinal(lastTypes, kind.finalEventTypes!)) {
        // the common case after a clean stop (every agent process exited): nothing to list
        report.skippedFinished += lastTypes.size;
        continue;
      }
      const snapshots = skipByLastEvent ? undefined : this.store.listSnapshots(prefix);
      for (const info of this.store.listStreams(prefix)) {
        if (accept && !accept(info.streamId)) continue;
        const lastType = lastTypes?.get(info.streamId);
        if (lastType !== undefined && kind.finalEventTypes!.has(lastType)) {
          report.skippedFinished++;
          continue;
        }
        const snapshot = snapshots ? snapshots.get(info.streamId) : this.store.loadSnapshot(info.streamId);
        const folded = foldStream(this.store, this.catalogue, kind, info.streamId, { version: info.version, snapshot });
        report.foldedEvents += folded.foldedEvents;
        if (folded.usedSnapshot) report.fromSnapshot++;
        if (folded.done && kind.restoreFinished === false) {
          report.skippedFinished++;
          continue;
        }
        this.actors.get(info.streamId)?.stop();
        // a snapshot that covered the stream is kept as stored until the actor is needed (JournaledActor.restored)
        this.put(new JournaledActor(info.streamId, kind, this, folded.snapshot, folded.version, folded.asStored));
        report.streams++;
      }
    }
    report.timers = this.timers.loadFromStore(accept);
    return report;
  }

  private goLive(kind: ActorKind<AnyStateMachine>, streamId: string) {
    const folded = foldStream(this.store, this.catalogue, kind, streamId);
    this.actors.get(streamId)?.stop();
    const actor = new JournaledActor(streamId, kind, this, folded.snapshot, folded.version);
    this.put(actor);
    return { actor, folded };
  }

  /** A cluster node: another node appended to `streamId` (its follower here is refolded when next read). */
  markStale(streamId: string): void {
    this.stale.add(streamId);
  }

  /** Refold a follower from the log if the log is ahead of it (a stream of another node, read here). */
  private refresh(streamId: string): void {
    this.stale.delete(streamId);
    const kind = this.kinds.get(streamId.slice(0, streamId.indexOf(':')));
    if (!kind) return;
    const actor = this.actors.get(streamId);
    const version = this.store.streamVersion(streamId);
    if (version === 0 || (actor !== undefined && actor.version >= version)) return;
    try {
      const folded = foldStream(this.store, this.catalogue, kind, streamId, { version, snapshot: this.store.loadSnapshot(streamId) });
      if (folded.snapshot === undefined) return;
      actor?.stop();
      // a follower never runs: it keeps the folded state as it is (deferred) and is stopped before anything could
      // start it, so it answers reads and runs no effect
      const follower = new JournaledActor(streamId, kind, this, folded.snapshot, folded.version, true);
      follower.stop();
      follower.following = true;
      this.put(follower);
    } catch (error) {
      this.logger.error('cannot fold a stream of another node', { stream: streamId, error: error as Error });
    }
  }

  /** Forget a live actor (e.g. a closed session whose state no route needs any more). */
  evict(streamId: string): void {
    this.actors.get(streamId)?.stop();
    this.drop(streamId);
  }

  private put(actor: JournaledActor<AnyStateMachine>): void {
    this.actors.set(actor.streamId, actor);
    let ofType = this.byType.get(actor.kind.streamType);
    if (!ofType) this.byType.set(actor.kind.streamType, (ofType = new Map()));
    ofType.set(actor.streamId, actor);
  }

  private drop(streamId: string): void {
    const actor = this.actors.get(streamId);
    if (!actor) return;
    this.actors.delete(streamId);
    this.byType.get(actor.kind.streamType)?.delete(streamId);
  }

  /**
   * Stop running a stream here (its lease moved to another node): the actor stops and its timers are disarmed; the
   * stored timers stay for the new owner.
   */
  relinquish(streamId: string): void {
    this.evict(streamId);
    this.timers.drop(streamId);
  }

  /** Resolve when every actor's in-flight appends are committed and folded. */
  async settled(): Promise<void> {
    await Promise.all([...this.actors.values()].map((a) => a.settled()));
  }

  stop(): void {
    this.timers.stop();
    for (const a of this.actors.values()) a.stop();
  }

  dispatchEffect(actor: JournaledActor<AnyStateMachine>, effect: EventObject): void {
    if (effect.type === 'timer.set') {
      const t = effect as unknown as TimerSetEffect;
      this.timers.set({ streamId: actor.streamId, timerId: t.timerId, dueAt: t.dueAt, event: t.event });
      return;
    }
    if (effect.type === 'timer.clear') {
      this.timers.clear(actor.streamId, (effect as unknown as TimerClearEffect).timerId);
      return;
    }
    const failed = (e: unknown) => this.logger.error('effect handler failed', { stream: actor.streamId, effect: effect.type, error: e as Error });
    try {
      const handler = (actor.kind.effects as Record<string, ((a: typeof actor, e: EventObject) => void | Promise<void>) | undefined> | undefined)?.[effect.type];
      const done = handler?.(actor, effect);
      if (done) done.catch(failed);
    } catch (e) {
      failed(e);
    }
  }

  onBroken(actor: JournaledActor<AnyStateMachine>, error: Error): void {
    this.logger.error('actor stopped trusting its state', { stream: actor.streamId, error });
  }

  /** A timer fired: decide its event (the machine may no longer accept it), then drop the row. */
  private fireTimer(timer: DurableTimer): void {
    const actor = this.actors.get(timer.streamId);
    if (!actor) {
      this.store.clearTimer(timer.streamId, timer.timerId);
      return;
    }
    const { type, ...data } = timer.event as { type: string } & Record<string, unknown>;
    actor
      .decideEvent({ type, data }, { principal: 'system', timer: timer.timerId }, 'timer_stale')
      .then(
        () => this.store.clearTimer(timer.streamId, timer.timerId),
        (e: Error) => this.logger.error('timer event failed', { stream: timer.streamId, timer: timer.timerId, error: e }),
      );
  }
}

function allFinal(lastTypes: ReadonlyMap<string, string>, finalTypes: ReadonlySet<string>): boolean {
  for (const t of lastTypes.values()) if (!finalTypes.has(t)) return false;
  return true;
}
