// The SQLite implementation of EventStore: wires the append queue (append-queue.ts) and its committer
// (batch-committer.ts: a writer thread under strict durability), the readers, subscriptions and the chain verifier
// around better-sqlite3. Reads run here on the store's own connection (WAL mode). One instance owns the file.
import type Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { AppendQueue } from './append-queue.js';
import { type BatchCommitter, InThreadCommitter, ThreadCommitter } from './batch-committer.js';
import { CommittedFanout } from './committed-fanout.js';
import { InvalidArgumentError, StoreClosedError } from './errors.js';
import { LogReads } from './log-reads.js';
import { openDatabase } from './open-database.js';
import { PendingWrites } from './pending-writes.js';
import type { Statements } from './statements.js';
import type {
  AppendOptions,
  AppendResult, AuditCheckpoint, CommittedListener, Durability, DurableTimer, EventFilter, EventStore, EventStoreOptions, ExpectedVersion,
  NewEvent, RecordedEvent, Snapshot, StreamInfo, SubscribeOptions, Subscription, VerifyResult,
} from './types.js';
import { type SerialisedEvent, checkExpectedVersion, checkLimit, checkPosition, checkStreamId, checkSubscribeArguments, serialiseEvents } from './validate-append.js';
import { readHead } from './write-batch.js';

const DEFAULT_MAX_BATCH_EVENTS = 512;
const DEFAULT_CHECKPOINT_IDLE_MS = 1000;

function defaultReportError(error: unknown, context: string): void {
  console.error(`[event-store] ${context}:`, error);
}

class SqliteEventStore implements EventStore {
  private readonly st: Statements;
  private readonly pending = new PendingWrites();
  private readonly writer: AppendQueue;
  private readonly committer: BatchCommitter;
  private readonly reads: LogReads;
  private readonly fanout: CommittedFanout;
  private closing: Promise<void> | undefined;
  private closed = false;
  private readonly reportError: (error: unknown, context: string) => void;

  constructor(private readonly db: Database.Database, options: EventStoreOptions, durability: Durability) {
    const userReport = options.onError;
    this.reportError = userReport
      ? (error, context) => {
          try {
            userReport(error, context);
          } catch (err) {
            defaultReportError(err, `onError threw while reporting "${context}"`);
          }
        }
      : defaultReportError;
    // The writer thread first: it starts while the rest of this constructor runs (see waitUntilOpen). Only under
    // strict durability, where every COMMIT is an fsync (~1 ms or more) that would stop the event loop. Under fast
    // (synchronous=NORMAL) a WAL commit does no fsync and costs tens of µs: two thread hops and a copy of the batch
    // cost more than that, and measured, a 60 000-chunk turn with a stalled SSE client peaked ~50-80 MiB higher
    // in RSS with the thread (test/streams/sse.test.ts). ':memory:' cannot have one (see batch-committer.ts).
    const idleMs = options.checkpointIdleMs ?? DEFAULT_CHECKPOINT_IDLE_MS;
    const thread = options.path === ':memory:' || durability !== 'strict'
      ? undefined
      : new ThreadCommitter(options.path, durability, idleMs, this.reportError);
    this.reads = new LogReads(db, this.pending);
    this.st = this.reads.st;
    this.committer = thread ?? new InThreadCommitter(db, this.st, idleMs, this.reportError);
    this.writer = new AppendQueue(this.committer, readHead(this.st), this.pending, options.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS, {
      committed: (events, commit) => this.fanout.committed(events, commit),
      error: this.reportError,
    }, options.lingerMs);
    this.fanout = new CommittedFanout({
      readPage: (after, limit, streamId) =>
        streamId === undefined ? this.readAll(after, limit) : this.readStreamAfter(streamId, after, limit),
      reportError: this.reportError,
    });
    thread?.waitUntilOpen();
  }

  // ---- writes -------------------------------------------------------------------------------------------------

  appendToStream(streamId: string, expected: ExpectedVersion, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new StoreClosedError(`append to ${String(streamId)}`));
    let streamType: string;
    let checkedExpected: ExpectedVersion;
    let serialised: SerialisedEvent[];
    try {
      streamType = checkStreamId(streamId);
      checkedExpected = checkExpectedVersion(expected);
      serialised = serialiseEvents(events);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writer.append(streamId, streamType, checkedExpected, serialised, options?.linger === true);
  }

  saveSnapshot(snapshot: Snapshot): void {
    this.assertWritable('save a snapshot');
    this.pending.saveSnapshot(snapshot);
    this.writer.scheduleLazy();
  }

  setTimer(timer: DurableTimer): void {
    this.assertWritable('set a timer');
    this.pending.setTimer(timer);
    this.writer.schedule();
  }

  clearTimer(streamId: string, timerId: string): void {
    this.assertWritable('clear a timer');
    this.pending.clearTimer(streamId, timerId);
    this.writer.schedule();
  }

  setCheckpoint(processorId: string, position: number): void {
    this.assertWritable('set a checkpoint');
    this.pending.setCheckpoint(processorId, position);
    this.writer.schedule();
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError('flush'));
    return this.writer.flush();
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.fanout.closeSubscriptions();
    let flushError: unknown;
    try {
      await this.writer.flush();
    } catch (err) {
      flushError = err;
    }
    await this.committer.close();
    this.db.close();
    this.closed = true;
    this.fanout.removeAllListeners();
    if (flushError !== undefined) throw flushError;
  }

  // ---- reads (log-reads.ts: the same code serves the postgres store's mirror) -----------------------------------

  readStream(streamId: string, fromStreamPosition = 1, limit?: number): RecordedEvent[] {
    this.assertOpen('read a stream');
    return this.reads.readStream(streamId, fromStreamPosition, limit);
  }

  readAll(afterPosition: number, limit: number): RecordedEvent[] {
    this.assertOpen('read the log');
    return this.reads.readAll(afterPosition, limit);
  }

  readStreamAfter(streamId: string, afterPosition: number, limit: number): RecordedEvent[] {
    this.assertOpen('read a stream');
    return this.reads.readStreamAfter(streamId, afterPosition, limit);
  }

  iterate(filter?: EventFilter): IterableIterator<RecordedEvent> {
    this.assertOpen('iterate the log');
    return this.reads.iterate(this.writer.head.position, filter);
  }

  headPosition(): number {
    return this.writer.head.position;
  }

  head(): { position: number; hash: string } {
    const { position, hash } = this.writer.head;
    return { position, hash };
  }

  streamVersion(streamId: string): number {
    this.assertOpen('read a stream version');
    return this.reads.streamVersion(streamId);
  }

  listStreams(prefix?: string): StreamInfo[] {
    this.assertOpen('list streams');
    return this.reads.listStreams(prefix);
  }

  lastEventTypes(prefix: string): Map<string, string> {
    this.assertOpen('read last event types');
    return this.reads.lastEventTypes(prefix);
  }

  loadSnapshot(streamId: string): Snapshot | undefined {
    this.assertOpen('load a snapshot');
    return this.reads.loadSnapshot(streamId);
  }

  listSnapshots(prefix: string): Map<string, Snapshot> {
    this.assertOpen('list snapshots');
    return this.reads.listSnapshots(prefix);
  }

  listTimers(): DurableTimer[] {
    this.assertOpen('list timers');
    return this.reads.listTimers();
  }

  getCheckpoint(processorId: string): number {
    this.assertOpen('read a checkpoint');
    return this.reads.getCheckpoint(processorId);
  }

  verifyChain(): VerifyResult {
    this.assertOpen('verify the chain');
    return this.reads.verifyChain();
  }

  saveAuditCheckpoint(checkpoint: AuditCheckpoint): void {
    this.assertWritable('save an audit checkpoint');
    if (this.writer.failed) throw this.writer.failed;
    this.pending.saveAuditCheckpoint(checkpoint, this.lastAuditCheckpoint()?.seq ?? 0);
    this.writer.schedule();
  }

  lastAuditCheckpoint(): AuditCheckpoint | undefined {
    this.assertOpen('read the last audit checkpoint');
    return this.pending.lastAuditCheckpoint() ?? this.reads.lastAuditCheckpoint();
  }

  /** The writer thread, if the store has one (tests kill it to check that a dead writer fails appends, not hangs). */
  get writerThread(): Worker | undefined {
    return this.committer instanceof ThreadCommitter ? this.committer.worker : undefined;
  }

  // ---- fan-out ------------------------------------------------------------------------------------------------

  onCommitted(listener: CommittedListener): () => void {
    return this.fanout.onCommitted(listener);
  }

  subscribe(afterPosition: number, handler: CommittedListener, options: SubscribeOptions = {}): Subscription {
    this.assertOpen('subscribe');
    if (this.closing) throw new StoreClosedError('subscribe');
    checkSubscribeArguments(afterPosition, handler, options);
    return this.fanout.subscribe(afterPosition, handler, options);
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new StoreClosedError(operation);
  }

  private assertWritable(operation: string): void {
    if (this.closing) throw new StoreClosedError(operation);
  }
}

/** Open (creating if needed) the event store in `options.path`. Throws SchemaVersionError for a newer schema. */
export function openEventStore(options: EventStoreOptions): EventStore {
  if (typeof options?.path !== 'string' || options.path === '') throw new InvalidArgumentError('openEventStore: path is required');
  const durability = options.durability ?? 'strict';
  if (durability !== 'strict' && durability !== 'fast') {
    throw new InvalidArgumentError(`openEventStore: durability must be 'strict' or 'fast' (got ${String(durability)})`);
  }
  if (options.maxBatchEvents !== undefined) checkLimit(options.maxBatchEvents, 'maxBatchEvents');
  if (options.checkpointIdleMs !== undefined) checkPosition(options.checkpointIdleMs, 'checkpointIdleMs');
  if (options.lingerMs !== undefined) checkPosition(options.lingerMs, 'lingerMs');
  const db = openDatabase(options.path, durability);
  try {
    return new SqliteEventStore(db, options, durability);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The writer thread of a store made by openEventStore (tests only; undefined without one or for another store). */
export function writerThreadOf(store: EventStore): Worker | undefined {
  return store instanceof SqliteEventStore ? store.writerThread : undefined;
}
