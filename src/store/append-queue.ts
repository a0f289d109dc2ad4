// The one writer. Appends (and snapshot/timer/checkpoint writes) are queued; a flush commits everything queued in
// ONE transaction, in call order (group commit: one fsync for the whole batch under synchronous=FULL). A flush is
// scheduled with setImmediate, so every append of the current event-loop turn joins the batch, or runs at once
// when maxBatchEvents are queued.
//
// Positions are assigned by the writer (head + 1, ..., in write-batch.ts) rather than by SQLite, so the hash can cover the position. The
// in-memory head (position, hash, at) only moves after COMMIT returns; after a failed batch it is re-read from the
// database, so it always matches what is committed. Stream versions are not cached across batches: the writer reads
// them inside the transaction (a primary-key lookup, a few µs), so there is no cache to drift from the database.
import type Database from 'better-sqlite3';
import { StoreFailedError, StoreWriteError } from './errors.js';
import { type PendingWrites, type SideWrites, sideWriteCount } from './pending-writes.js';
import type { StoredEvent } from './recorded-event.js';
import type { Statements } from './statements.js';
import type { AppendResult, CommitTiming, ExpectedVersion } from './types.js';
import type { SerialisedEvent } from './validate-append.js';
import { type BatchOutcome, type Head, readHead, writeBatch } from './write-batch.js';

interface QueuedAppend {
  kind: 'append';
  streamId: string;
  streamType: string;
  expected: ExpectedVersion;
  events: SerialisedEvent[];
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
  /** After each commit that wrote anything; `bytes` approximates what went into the WAL. */
  wrote(bytes: number): void;
  error(error: unknown, context: string): void;
}

/** How long a lingering append may wait for others to share its commit by default (ms). */
export const LINGER_MS = 2;

export class AppendQueue {
  private queue: QueuedOp[] = [];
  private queuedEvents = 0;
  private scheduled: NodeJS.Immediate | undefined;
  /** a flush later than the next turn of the event loop (a lingering append, a lone snapshot), and when it is due */
  private delayed: NodeJS.Timeout | undefined;
  private delayedDue = Infinity;
  /** something queued wants the next turn of the event loop (an append that is not lingering, a barrier) */
  private urgentQueued = false;
  private flushing = false;
  private failure: StoreFailedError | undefined;
  private headState: Head;
  private readonly commitBatch: Database.Transaction<(batch: QueuedOp[], side: SideWrites) => BatchOutcome>;

  constructor(
    private readonly db: Database.Database,
    private readonly st: Statements,
    private readonly pending: PendingWrites,
    private readonly maxBatchEvents: number,
    private readonly hooks: WriterHooks,
    /** how long a lingering append may wait for others to share its commit (AppendOptions.linger) */
    private readonly lingerMs = LINGER_MS,
    /** how long a write that only caches (a snapshot) may wait for a batch of events to ride along with */
    private readonly lazyFlushMs = 1000,
  ) {
    this.headState = readHead(st);
    this.commitBatch = db.transaction((batch: QueuedOp[], side: SideWrites) => writeBatch(st, this.headState, batch, side));
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
      if (this.queuedEvents >= this.maxBatchEvents && !this.flushing) this.flushNow();
      else if (linger && !this.urgentQueued) this.scheduleLinger();
      else this.schedule();
    });
  }

  /** Commit everything queued so far (now, unless a commit is in progress: then with the next batch). */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queue.length === 0 && this.pending.isEmpty && !this.flushing) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ kind: 'barrier', resolve, reject });
      this.flushNow();
    });
  }

  /** Make sure a flush will run soon (used after snapshot/timer/checkpoint writes). */
  schedule(): void {
    this.urgentQueued = true;
    if (this.scheduled !== undefined || this.flushing) return;
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

  /** One timer for every delayed flush: the soonest deadline wins. Only appends keep the process alive for it. */
  private flushWithin(ms: number, keepAlive: boolean): void {
    if (this.scheduled !== undefined || this.flushing) return; // a flush comes sooner anyway
    const due = performance.now() + ms;
    if (this.delayed !== undefined && this.delayedDue <= due) {
      if (keepAlive) this.delayed.ref();
      return;
    }
    clearTimeout(this.delayed);
    this.delayedDue = due;
    this.delayed = setTimeout(() => {
      this.delayed = undefined;
      this.delayedDue = Infinity;
      this.flushNow();
    }, ms);
    if (!keepAlive) this.delayed.unref();
  }

  private flushNow(): void {
    if (this.flushing) return; // the running flush schedules another one for whatever is queued meanwhile
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.delayed !== undefined) {
      clearTimeout(this.delayed);
      this.delayed = undefined;
      this.delayedDue = Infinity;
    }
    this.urgentQueued = false;
    const batch = this.queue;
    this.queue = [];
    this.queuedEvents = 0;
    const side = this.pending.take();
    if (batch.length === 0 && sideWriteCount(side) === 0) return;

    this.flushing = true;
    try {
      if (this.failure) {
        this.settleFailed(batch, side, this.failure);
        return;
      }
      let outcome: BatchOutcome;
      const startedAt = performance.now();
      try {
        outcome = this.commitBatch.immediate(batch, side);
      } catch (err) {
        this.recoverFromFailedCommit(batch, side, err);
        return;
      }
      this.headState = outcome.head;
      if (outcome.bytes > 0) this.hooks.wrote(outcome.bytes);
      if (outcome.events.length > 0) this.hooks.committed(outcome.events, { startedAt, durationMs: performance.now() - startedAt });
      for (let i = 0; i < batch.length; i++) {
        const op = batch[i]!;
        if (op.kind === 'append') op.resolve(outcome.results[i]!);
        else op.resolve();
      }
    } finally {
      this.flushing = false;
      if (this.urgentQueued || this.pending.hasUrgent) this.schedule();
      else if (this.queue.length > 0) this.scheduleLinger();
      else if (!this.pending.isEmpty) this.scheduleLazy();
    }
  }

  /**
   * The transaction threw and was rolled back. Reject the whole batch, then re-read the head from the database
   * rather than trusting memory; if even that fails, refuse further writes (see StoreFailedError).
   */
  private recoverFromFailedCommit(batch: QueuedOp[], side: SideWrites, cause: unknown): void {
    const appends = batch.filter((op) => op.kind === 'append').length;
    const message = cause instanceof Error ? cause.message : String(cause);
    const error = new StoreWriteError(`commit of a batch of ${appends} append(s) failed: ${message}`, { cause });
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.headState = readHead(this.st);
    } catch (resyncError) {
      this.failure = new StoreFailedError(
        `event store cannot re-read its head after a failed commit (${message}); reopen it`,
        { cause: resyncError },
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
