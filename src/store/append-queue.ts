// The queue of writes. Appends (and snapshot/timer/checkpoint writes) are queued; a flush hands everything queued
// to the committer (batch-committer.ts) as ONE transaction, in call order (group commit: one fsync for the whole
// batch under synchronous=FULL). A flush is scheduled with setImmediate, so every append of the current event-loop
// turn joins the batch, or runs at once when maxBatchEvents are queued. While a batch is in flight, what is queued
// meanwhile goes as the next batch the moment the answer comes back, or at once when it is big (see
// MAX_IN_FLIGHT): then the writer starts on it right after the COMMIT before, instead of idling while the answer
// travels back and the next batch is built. Batches commit, answer and are announced in the order they were sent.
//
// Positions are assigned by the writer (head + 1, ..., in write-batch.ts) rather than by SQLite, so the hash can cover
// the position. The in-memory head (position, hash, at) only moves when a commit's answer arrives; after a failed
// batch it is the head the writer re-read from the database, so it always matches what is committed. Nothing is
// resolved or announced (onCommitted) before COMMIT has returned: that is the store's durability promise.
import { StoreFailedError, StoreWriteError } from './errors.js';
import type { BatchCommitter } from './batch-committer.js';
import { type PendingWrites, type SideWrites, sideWriteCount } from './pending-writes.js';
import type { StoredEvent } from './recorded-event.js';
import type { AppendResult, CommitTiming, ExpectedVersion } from './types.js';
import type { SerialisedEvent } from './validate-append.js';
import type { BatchOutcome, Head } from './write-batch.js';
import { encodeBatch } from './batch-request.js';
import { type AppendOp, batchResults } from './batch-results.js';
import { DelayedFlush } from './delayed-flush.js';

interface QueuedAppend extends AppendOp {
  streamType: string;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** Resolves when the batch it lands in commits (used by flush()). */
interface QueuedBarrier {
  kind: 'barrier';
  resolve(): void;
  reject(error: unknown): void;
}

type QueuedOp = QueuedAppend | QueuedBarrier;

export interface WriterHooks {
  /** Synchronously after each commit that wrote events, with those events in commit order and the commit's timing. */
  committed(events: StoredEvent[], commit: CommitTiming): void;
  error(error: unknown, context: string): void;
}

/** How long a lingering append may wait for others to share its commit by default (ms). */
export const LINGER_MS = 2;

/**
 * Backpressure: how many batches' worth of events may wait behind the commit in flight. Beyond that an append
 * blocks until the writer answers, as every commit did when they ran on this thread: appenders that do not await
 * (protocol traffic recorded as it passes) would otherwise queue without bound while the disk is slower than them.
 */
const HIGH_WATER_BATCHES = 4;

/**
 * Batches with the committer at once. Two are enough to keep a writer thread busy under load: one commits while
 * the next waits in its port. Measured without (appends saturating the writer): the writer idled ~4-5 ms between
 * commits of 500 events, the answer's trip back and the appenders' turn on the main thread. A second batch goes
 * early only once it is as big as the one in flight and at least PIPELINE_MIN_EVENTS (or full): smaller ones
 * wait for the answer, so that group commit still gathers what arrives while a commit runs. Sent at once, the
 * first few events would cost an fsync of their own and the next ones would wait for it (a turn's commits would
 * each wait one more fsync).
 */
const MAX_IN_FLIGHT = 2;
const PIPELINE_MIN_EVENTS = 64;

export class AppendQueue {
  private queue: QueuedOp[] = [];
  private queuedEvents = 0;
  private scheduled: NodeJS.Immediate | undefined;
  /** a flush later than the next turn of the event loop (a lingering append, a lone snapshot), and when it is due */
  private readonly delayed = new DelayedFlush(() => this.flushNow());
  /** something queued wants the next turn of the event loop (an append that is not lingering, a barrier) */
  private urgentQueued = false;
  /** batches with the committer (answers come back in the order sent), and the events of the newest one */
  private inFlight = 0;
  private newestSentEvents = 0;
  /** the committer is answering inside commit() (the in-thread one): the next batch must wait for a new turn */
  private answeringInline = false;
  /** onCommitted listeners are running: a later batch must not be announced inside them */
  private announcing = false;
  private failure: StoreFailedError | undefined;
  private headState: Head;

  constructor(
    private readonly committer: BatchCommitter,
    head: Head,
    private readonly pending: PendingWrites,
    private readonly maxBatchEvents: number,
    private readonly hooks: WriterHooks,
    /** how long a lingering append may wait for others to share its commit (AppendOptions.linger) */
    private readonly lingerMs = LINGER_MS,
    /** how long a write that only caches (a snapshot) may wait for a batch of events to ride along with */
    private readonly lazyFlushMs = 1000,
  ) {
    this.headState = head;
  }

  /** The newest committed event. */
  get head(): Head {
    return this.headState;
  }

  /** Set when the writer can no longer tell what is committed; every further write is refused with it. */
  get failed(): StoreFailedError | undefined {
    return this.failure;
  }

  append(streamId: string, streamType: string, expected: ExpectedVersion, events: SerialisedEvent[], linger = false): Promise<AppendResult> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ kind: 'append', streamId, streamType, expected, events, resolve, reject });
      this.queuedEvents += events.length;
      if (this.inFlight > 0 && this.queuedEvents >= HIGH_WATER_BATCHES * this.maxBatchEvents && !this.announcing) this.committer.drain();
      if (this.inFlight === 0 ? this.queuedEvents >= this.maxBatchEvents : this.maySend()) this.flushNow();
      else if (linger && !this.urgentQueued) this.scheduleLinger();
      else this.schedule();
    });
  }

  /** Commit everything queued so far (now, unless a commit is in progress: then with the next batch). */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queue.length === 0 && this.pending.isEmpty && this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ kind: 'barrier', resolve, reject });
      this.urgentQueued = true;
      this.flushNow();
    });
  }

  /** Make sure a flush will run soon (used after snapshot/timer/checkpoint writes). */
  schedule(): void {
    this.urgentQueued = true;
    if (this.scheduled !== undefined || this.inFlight > 0) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.flushNow();
    });
  }

  /**
   * Make sure a flush will run within `lazyFlushMs`: for snapshots, which only save replay work. A snapshot saved
   * at the end of a turn then rides along with the next turn's first commit instead of costing a commit (an fsync
   * under strict durability) of its own; a crash before it commits only means the tail is replayed at boot.
   */
  scheduleLazy(): void {
    this.flushWithin(this.lazyFlushMs, false);
  }

  /** Make sure a flush runs within `lingerMs`: lingering appends wait that long for company (AppendOptions.linger). */
  private scheduleLinger(): void {
    this.flushWithin(this.lingerMs, true);
  }

  /** A flush is coming sooner anyway when one is scheduled or running. */
  private flushWithin(ms: number, keepAlive: boolean): void {
    if (this.scheduled !== undefined || this.inFlight > 0) return;
    this.delayed.within(ms, keepAlive);
  }

  /** The oldest queued ops, up to maxBatchEvents events (an append is never split; barriers keep their place). */
  private takeBatch(): QueuedOp[] {
    if (this.queuedEvents <= this.maxBatchEvents) {
      const all = this.queue;
      this.queue = [];
      this.queuedEvents = 0;
      return all;
    }
    let events = 0;
    let n = 0;
    while (n < this.queue.length && events < this.maxBatchEvents) {
      const op = this.queue[n++]!;
      if (op.kind === 'append') events += op.events.length;
    }
    this.queuedEvents -= events;
    return this.queue.splice(0, n);
  }

  private flushNow(): void {
    // the answer to the batch in flight sends whatever is queued meanwhile (unless it is a full batch: see
    // MAX_IN_FLIGHT); and no batch is committed (by the in-thread committer) inside the listeners of the one
    // before: they would hear of it first
    if (this.announcing || !this.maySend()) return;
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    this.delayed.cancel();
    this.urgentQueued = false;
    const batch = this.takeBatch();
    if (batch.length === 0 && this.pending.isEmpty) return;
    const side = this.pending.take();
    if (this.failure) {
      // everything queued, not just one batch's worth: no answer is coming to send the rest
      this.pending.settled(side);
      batch.push(...this.queue);
      this.queue = [];
      this.queuedEvents = 0;
      this.settleFailed(batch, side, this.failure);
      return;
    }
    const appends: QueuedAppend[] = [];
    for (const op of batch) if (op.kind === 'append') appends.push(op);
    if (appends.length === 0 && sideWriteCount(side) === 0) {
      // only barriers: everything before them has committed already when nothing is in flight (a full batch
      // sent behind another always holds appends, so this is the only case)
      this.pending.settled(side);
      for (const op of batch) (op as QueuedBarrier).resolve();
      return;
    }
    this.inFlight++;
    this.newestSentEvents = 0;
    for (const a of appends) this.newestSentEvents += a.events.length;
    this.answeringInline = true;
    const startedAt = performance.now();
    this.committer.commit(encodeBatch(appends, side), (outcome) => this.settle(batch, side, outcome, startedAt));
    this.answeringInline = false;
  }

  /** The committer answered: move the head, send the next batch, then announce and resolve this one. */
  private settle(batch: QueuedOp[], side: SideWrites, outcome: BatchOutcome, startedAt: number): void {
    const durationMs = performance.now() - startedAt;
    this.inFlight--;
    this.pending.settled(side);
    if (!outcome.ok) {
      this.settleFailedCommit(batch, side, outcome);
      this.next();
      return;
    }
    this.headState = outcome.head;
    // The writer can start on what queued up during this commit while this batch's listeners run.
    this.next();

    const { results, events } = batchResults(batch, outcome);
    if (events.length > 0) {
      this.announcing = true;
      try {
        this.hooks.committed(events, { startedAt, durationMs });
      } finally {
        this.announcing = false;
      }
      this.next(); // what the listeners queued
    }
    for (let i = 0; i < batch.length; i++) {
      const op = batch[i]!;
      if (op.kind === 'append') op.resolve(results[i]!);
      else op.resolve();
    }
  }

  /** Whether a batch may go to the committer now: none in flight, or a big one behind the one in flight. */
  private maySend(): boolean {
    if (this.inFlight === 0) return true;
    const big = Math.min(this.maxBatchEvents, Math.max(PIPELINE_MIN_EVENTS, this.newestSentEvents));
    return this.inFlight < MAX_IN_FLIGHT && this.queuedEvents >= big;
  }

  /** Send what is due now; otherwise make sure it goes when it is due. */
  private next(): void {
    if (this.urgentQueued || this.pending.hasUrgent || this.queuedEvents >= this.maxBatchEvents) {
      // an in-thread committer answers inside flushNow: a new turn, rather than recursion
      if (this.answeringInline) this.schedule();
      else this.flushNow();
    } else if (this.queue.length > 0) this.scheduleLinger();
    else if (!this.pending.isEmpty) this.scheduleLazy();
  }

  /**
   * The batch did not commit. Reject the whole batch. The writer re-read the head from the database rather than
   * trusting memory; if even that failed, or the writer thread is gone, refuse further writes (StoreFailedError).
   */
  private settleFailedCommit(batch: QueuedOp[], side: SideWrites, outcome: Exclude<BatchOutcome, { ok: true }>): void {
    if ('died' in outcome) {
      this.failure ??= new StoreFailedError(`${outcome.died}; the store refuses writes: reopen it`);
      this.settleFailed(batch, side, this.failure);
      return;
    }
    const appends = batch.filter((op) => op.kind === 'append').length;
    const cause = Object.assign(new Error(outcome.error.message), outcome.error);
    const error = new StoreWriteError(`commit of a batch of ${appends} append(s) failed: ${outcome.error.message}`, { cause });
    if (outcome.head !== undefined) this.headState = outcome.head;
    else {
      this.failure = new StoreFailedError(
        `event store cannot re-read its head after a failed commit (${outcome.error.message}); reopen it`,
        { cause: new Error(outcome.resyncError) },
      );
      this.hooks.error(this.failure, 'append queue: resync after failed commit');
    }
    this.settleFailed(batch, side, error);
  }

  private settleFailed(batch: QueuedOp[], side: SideWrites, error: Error): void {
    for (const op of batch) op.reject(error);
    const lost = sideWriteCount(side);
    if (lost > 0) this.hooks.error(error, `append queue: ${lost} snapshot/timer/checkpoint write(s) lost with the failed batch`);
  }
}
