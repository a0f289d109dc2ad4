// The PostgreSQL implementation of EventStore, for several gateway nodes sharing one log. PostgreSQL is the
// authority (commit-batch.ts writes it in group commits under one advisory lock); each node reads from its own
// mirror (mirror.ts: SQLite, same rows, same positions and hashes), so the contract's reads stay synchronous.
// The mirror is fed in position order from two sources that may overlap but never leave a hole: this node's own
// commits (with the rows other nodes committed just before, read in the same transaction), and catch-up reads
// after the mirror head when another node's commit is announced (commit-listener.ts) or the slow poll fires.
// onCommitted and subscriptions fire as rows reach the mirror: every node sees every event, in global order.
import type pg from 'pg';
import { CommittedFanout } from '../committed-fanout.js';
import { InvalidArgumentError, StoreClosedError, StoreFailedError } from '../errors.js';
import { PendingWrites } from '../pending-writes.js';
import type { StoredEvent } from '../recorded-event.js';
import type {
  AppendOptions, AppendResult, AuditCheckpoint, CommitTiming, CommittedListener, DurableTimer, EventFilter, EventStore, ExpectedVersion,
  NewEvent, RecordedEvent, Snapshot, StreamInfo, SubscribeOptions, Subscription, VerifyResult,
} from '../types.js';
import { checkExpectedVersion, checkIdText, checkLimit, checkPosition, checkStreamId, serialiseEvents } from '../validate-append.js';
import { type PgBatch, commitBatch } from './commit-batch.js';
import { CommitListener } from './commit-listener.js';
import { CommitQueue } from './commit-queue.js';
import type { Mirror } from './mirror.js';
import { readDurable, readEventsAfter } from './pg-reads.js';

/** Rows read per catch-up query. */
const CATCH_UP_PAGE = 2000;

export interface PostgresStoreParts {
  pool: pg.Pool;
  mirror: Mirror;
  url: string;
  nodeId: string;
  pollMs: number;
  maxBatchEvents: number;
  lingerMs: number;
  reportError(error: unknown, context: string): void;
}

export class PostgresEventStore implements EventStore {
  readonly nodeId: string;
  private readonly pool: pg.Pool;
  private readonly mirror: Mirror;
  private readonly queue: CommitQueue;
  private readonly fanout: CommittedFanout;
  private readonly listener: CommitListener;
  private readonly reportError: (error: unknown, context: string) => void;
  private catchingUp: Promise<void> | undefined;
  private lookAgain = false;
  private failure: StoreFailedError | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(p: PostgresStoreParts) {
    this.pool = p.pool;
    this.mirror = p.mirror;
    this.nodeId = p.nodeId;
    this.reportError = p.reportError;
    this.fanout = new CommittedFanout({
      readPage: (after, limit, streamId) =>
        streamId === undefined ? this.readAll(after, limit) : this.readStreamAfter(streamId, after, limit),
      reportError: this.reportError,
    });
    this.queue = new CommitQueue({
      commit: (batch) => this.commit(batch),
      error: this.reportError,
      maxBatchEvents: p.maxBatchEvents,
      lingerMs: p.lingerMs,
      lazyFlushMs: 1000,
    });
    this.listener = new CommitListener({
      url: p.url,
      applicationName: `aintegrix-listen:${p.nodeId}`.slice(0, 63),
      pollMs: p.pollMs,
      look: () => void this.catchUp(),
      error: this.reportError,
    });
  }

  /** Start listening for other nodes' commits, then catch up with what they committed meanwhile. */
  async start(): Promise<void> {
    await this.listener.start();
    await this.catchUp();
  }

  // ---- writes -------------------------------------------------------------------------------------------------

  appendToStream(streamId: string, expected: ExpectedVersion, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new StoreClosedError(`append to ${String(streamId)}`));
    if (this.failure) return Promise.reject(this.failure);
    try {
      const streamType = checkStreamId(streamId);
      const checked = checkExpectedVersion(expected);
      const serialised = serialiseEvents(events);
      const fence = options?.fence;
      if (fence !== undefined) {
        checkIdText(fence?.key, 'fence key', 512);
        checkPosition(fence.epoch, 'fence epoch');
      }
      return this.queue.append(
        { streamId, streamType, expected: checked, events: serialised, fence: fence && { key: fence.key, epoch: fence.epoch } },
        options?.linger === true,
      );
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** One group commit, then its rows (and those other nodes committed just before) into the mirror, announced. */
  private async commit(batch: PgBatch): Promise<(AppendResult | Error)[]> {
    if (this.failure) throw this.failure;
    const startedAt = performance.now();
    const client = await this.pool.connect();
    let outcome;
    try {
      outcome = await commitBatch(client, batch, this.nodeId, this.mirror.head.position);
      client.release();
    } catch (err) {
      client.release(err as Error); // a broken connection is not handed out again
      throw err;
    }
    const timing: CommitTiming = { startedAt, durationMs: performance.now() - startedAt };
    this.ingest(outcome.before, undefined);
    this.ingest(outcome.events, timing);
    return outcome.results;
  }

  /** Rows of the log into the mirror (skipping what it has), then to listeners and subscriptions. */
  private ingest(events: readonly StoredEvent[], commit: CommitTiming | undefined): void {
    if (events.length === 0) return;
    let applied: readonly StoredEvent[];
    try {
      applied = this.mirror.apply(events);
    } catch (err) {
      // PostgreSQL has rows the mirror cannot take: reads would go stale silently, so writes stop loudly
      this.failure ??= new StoreFailedError(`the local mirror of the log cannot take committed rows (${(err as Error).message}); restart the node`, { cause: err });
      this.reportError(this.failure, 'postgres store: mirror update failed');
      return;
    }
    if (applied.length > 0) this.fanout.committed(applied, commit);
  }

  /** Read what other nodes committed after the mirror head, page by page (one catch-up at a time). */
  private catchUp(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.catchingUp) {
      this.lookAgain = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      try {
        do {
          this.lookAgain = false;
          for (;;) {
            const rows = await readEventsAfter(this.pool, this.mirror.head.position, CATCH_UP_PAGE);
            if (this.closed) return;
            this.ingest(rows, undefined);
            if (rows.length < CATCH_UP_PAGE || this.failure) break;
          }
        } while (this.lookAgain && !this.closed);
      } catch (err) {
        if (!this.closed) this.reportError(err, 'postgres store: catch-up read failed (the next notification or poll retries)');
      } finally {
        this.catchingUp = undefined;
      }
    })();
    return this.catchingUp;
  }

  saveSnapshot(snapshot: Snapshot): void {
    this.sideWrite('save a snapshot', (w) => w.saveSnapshot(snapshot), false);
  }

  setTimer(timer: DurableTimer): void {
    this.sideWrite('set a timer', (w) => w.setTimer(timer), true);
  }

  clearTimer(streamId: string, timerId: string): void {
    this.sideWrite('clear a timer', (w) => w.clearTimer(streamId, timerId), true);
  }

  setCheckpoint(processorId: string, position: number): void {
    this.sideWrite('set a checkpoint', (w) => w.setCheckpoint(processorId, position), true);
  }

  /** Checked and serialised now, written to the mirror now (read-your-writes), to PostgreSQL with the next batch. */
  private sideWrite(operation: string, write: (w: PendingWrites) => void, urgent: boolean): void {
    this.assertWritable(operation);
    const w = new PendingWrites();
    write(w);
    const side = w.take();
    this.mirror.applySide(side);
    this.queue.addSide(side, undefined, urgent);
  }

  saveAuditCheckpoint(checkpoint: AuditCheckpoint): void {
    this.assertWritable('save an audit checkpoint');
    if (this.failure) throw this.failure;
    this.mirror.saveAuditCheckpoint(checkpoint);
    this.queue.addSide({ snapshots: new Map(), timers: new Map(), checkpoints: new Map() }, { ...checkpoint }, true);
  }

  async refreshStreams(streamIds: readonly string[]): Promise<void> {
    this.assertWritable('refresh streams');
    for (const id of streamIds) checkStreamId(id);
    const rows = await readDurable(this.pool, streamIds);
    this.mirror.replaceDurable(rows, streamIds);
    await this.catchUp();
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError('flush'));
    return this.queue.flush();
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.fanout.closeSubscriptions();
    let flushError: unknown;
    try {
      await this.queue.flush();
    } catch (err) {
      flushError = err;
    }
    await this.listener.stop();
    this.closed = true;
    await this.catchingUp;
    await this.pool.end().catch((err: unknown) => this.reportError(err, 'close: ending the connection pool failed'));
    try {
      this.mirror.close();
    } catch (err) {
      this.reportError(err, 'close: closing the mirror failed');
    }
    this.fanout.removeAllListeners();
    if (flushError !== undefined) throw flushError;
  }

  // ---- reads: the mirror, through the SQLite store's read code ------------------------------------------------

  readStream(streamId: string, fromStreamPosition = 1, limit?: number): RecordedEvent[] {
    this.assertOpen('read a stream');
    return this.mirror.reads.readStream(streamId, fromStreamPosition, limit);
  }

  readAll(afterPosition: number, limit: number): RecordedEvent[] {
    this.assertOpen('read the log');
    return this.mirror.reads.readAll(afterPosition, limit);
  }

  readStreamAfter(streamId: string, afterPosition: number, limit: number): RecordedEvent[] {
    this.assertOpen('read a stream');
    return this.mirror.reads.readStreamAfter(streamId, afterPosition, limit);
  }

  iterate(filter?: EventFilter): IterableIterator<RecordedEvent> {
    this.assertOpen('iterate the log');
    return this.mirror.reads.iterate(this.mirror.head.position, filter);
  }

  headPosition(): number {
    return this.mirror.head.position;
  }

  head(): { position: number; hash: string } {
    const { position, hash } = this.mirror.head;
    return { position, hash };
  }

  streamVersion(streamId: string): number {
    this.assertOpen('read a stream version');
    return this.mirror.reads.streamVersion(streamId);
  }

  listStreams(prefix?: string): StreamInfo[] {
    this.assertOpen('list streams');
    return this.mirror.reads.listStreams(prefix);
  }

  lastEventTypes(prefix: string): Map<string, string> {
    this.assertOpen('read last event types');
    return this.mirror.reads.lastEventTypes(prefix);
  }

  loadSnapshot(streamId: string): Snapshot | undefined {
    this.assertOpen('load a snapshot');
    return this.mirror.reads.loadSnapshot(streamId);
  }

  listSnapshots(prefix: string): Map<string, Snapshot> {
    this.assertOpen('list snapshots');
    return this.mirror.reads.listSnapshots(prefix);
  }

  listTimers(): DurableTimer[] {
    this.assertOpen('list timers');
    return this.mirror.reads.listTimers();
  }

  getCheckpoint(processorId: string): number {
    this.assertOpen('read a checkpoint');
    return this.mirror.reads.getCheckpoint(processorId);
  }

  verifyChain(): VerifyResult {
    this.assertOpen('verify the chain');
    return this.mirror.reads.verifyChain();
  }

  lastAuditCheckpoint(): AuditCheckpoint | undefined {
    this.assertOpen('read the last audit checkpoint');
    return this.mirror.reads.lastAuditCheckpoint();
  }

  // ---- fan-out ------------------------------------------------------------------------------------------------

  onCommitted(listener: CommittedListener): () => void {
    return this.fanout.onCommitted(listener);
  }

  subscribe(afterPosition: number, handler: CommittedListener, options: SubscribeOptions = {}): Subscription {
    this.assertOpen('subscribe');
    if (this.closing) throw new StoreClosedError('subscribe');
    checkPosition(afterPosition, 'afterPosition');
    if (typeof handler !== 'function') throw new InvalidArgumentError('subscribe: handler must be a function');
    if (options.pageSize !== undefined) checkLimit(options.pageSize, 'pageSize');
    if (options.streamId !== undefined) checkStreamId(options.streamId);
    return this.fanout.subscribe(afterPosition, handler, options);
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new StoreClosedError(operation);
  }

  private assertWritable(operation: string): void {
    if (this.closing) throw new StoreClosedError(operation);
  }
}
