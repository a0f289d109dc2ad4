// The postgres store's queue of writes: appends (and snapshot/timer/checkpoint writes) queued in one turn of the
// event loop go to PostgreSQL as ONE transaction (commit-batch.ts), in call order; one batch is in flight at a
// time, and what queues up meanwhile goes as the next batch when it returns. The scheduling rules are the SQLite
// store's (append-queue.ts): the next turn, `linger` waits a few ms for company, a lone snapshot up to a second,
// maxBatchEvents sends at once. Nothing is resolved before COMMIT returned and the rows are in the mirror.
import { StoreWriteError } from '../errors.js';
import { type SideWrites, sideWriteCount } from '../pending-writes.js';
import type { AppendResult, AuditCheckpoint } from '../types.js';
import type { PgAppendOp, PgBatch } from './commit-batch.js';
import { DelayedFlush } from '../delayed-flush.js';

interface QueuedAppend {
  op: PgAppendOp;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

interface QueuedBarrier {
  op: undefined;
  resolve(): void;
  reject(error: unknown): void;
}

type Queued = QueuedAppend | QueuedBarrier;

const emptySide = (): SideWrites => ({ snapshots: new Map(), timers: new Map(), checkpoints: new Map() });

export interface CommitQueueDeps {
  /** Commit one batch; resolves per append with its result or the error it is refused with. */
  commit(batch: PgBatch): Promise<(AppendResult | Error)[]>;
  error(error: unknown, context: string): void;
  maxBatchEvents: number;
  lingerMs: number;
  lazyFlushMs: number;
}

export class CommitQueue {
  private queue: Queued[] = [];
  private queuedEvents = 0;
  private side: SideWrites = emptySide();
  private audit: AuditCheckpoint[] = [];
  private inFlight: Promise<void> | undefined;
  private scheduled: NodeJS.Immediate | undefined;
  private readonly delayed = new DelayedFlush(() => this.send());
  private urgent = false;

  constructor(private readonly deps: CommitQueueDeps) {}

  append(op: PgAppendOp, linger: boolean): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.queuedEvents += op.events.length;
      if (this.queuedEvents >= this.deps.maxBatchEvents) this.send();
      else if (linger && !this.urgent) this.flushWithin(this.deps.lingerMs, true);
      else this.schedule();
    });
  }

  /** Queue side writes (already in the mirror); timers, checkpoints and audit rows are due soon, a snapshot may wait. */
  addSide(side: SideWrites, audit: AuditCheckpoint | undefined, urgent: boolean): void {
    for (const [k, v] of side.snapshots) this.side.snapshots.set(k, v);
    for (const [k, v] of side.timers) this.side.timers.set(k, v);
    for (const [k, v] of side.checkpoints) this.side.checkpoints.set(k, v);
    if (audit) this.audit.push(audit);
    if (urgent) this.schedule();
    else this.flushWithin(this.deps.lazyFlushMs, false);
  }

  /** Resolve once everything queued so far is committed. */
  flush(): Promise<void> {
    if (this.queue.length === 0 && this.isSideEmpty() && this.inFlight === undefined) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ op: undefined, resolve, reject });
      this.schedule();
    });
  }

  private isSideEmpty(): boolean {
    return sideWriteCount(this.side) === 0 && this.audit.length === 0;
  }

  private schedule(): void {
    this.urgent = true;
    if (this.scheduled !== undefined || this.inFlight !== undefined) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.send();
    });
  }

  private flushWithin(ms: number, keepAlive: boolean): void {
    if (this.scheduled !== undefined || this.inFlight !== undefined) return;
    this.delayed.within(ms, keepAlive);
  }

  /** Send what is queued as one batch, unless one is in flight (its end sends the rest). */
  private send(): void {
    if (this.inFlight !== undefined) return;
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.delayed.cancel();
    this.scheduled = undefined;
    this.urgent = false;
    const batch = this.queue;
    const side = this.side;
    const audit = this.audit;
    this.queue = [];
    this.queuedEvents = 0;
    this.side = emptySide();
    this.audit = [];
    const appends = batch.filter((q): q is QueuedAppend => q.op !== undefined);
    if (appends.length === 0 && sideWriteCount(side) === 0 && audit.length === 0) {
      for (const q of batch) (q as QueuedBarrier).resolve();
      return;
    }
    this.inFlight = this.run(batch, appends, side, audit).finally(() => {
      this.inFlight = undefined;
      this.next();
    });
  }

  private async run(batch: Queued[], appends: QueuedAppend[], side: SideWrites, audit: AuditCheckpoint[]): Promise<void> {
    let results: (AppendResult | Error)[];
    try {
      results = await this.deps.commit({ appends: appends.map((q) => q.op), side, audit });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      const error = cause instanceof StoreWriteError ? cause : new StoreWriteError(`commit of a batch of ${appends.length} append(s) failed: ${message}`, { cause });
      for (const q of batch) q.reject(error);
      const lost = sideWriteCount(side) + audit.length;
      if (lost > 0) this.deps.error(error, `postgres store: ${lost} snapshot/timer/checkpoint write(s) lost with the failed batch`);
      return;
    }
    let k = 0;
    for (const q of batch) {
      if (q.op === undefined) {
        q.resolve();
        continue;
      }
      const r = results[k++]!;
      if (r instanceof Error) q.reject(r);
      else q.resolve(r);
    }
  }

  private next(): void {
    if (this.urgent || this.queuedEvents >= this.deps.maxBatchEvents) this.send();
    else if (this.queue.length > 0) this.flushWithin(this.deps.lingerMs, true);
    else if (!this.isSideEmpty()) this.flushWithin(this.deps.lazyFlushMs, false);
  }
}
