// The SQLite implementation of EventStore: wires the writer (append-queue.ts), the readers, subscriptions, the
// chain verifier and the checkpointer around one better-sqlite3 connection. One instance owns the file.
import type Database from 'better-sqlite3';
import { AppendQueue } from './append-queue.js';
import { CommittedFanout } from './committed-fanout.js';
import { type AuditCheckpointTable, auditCheckpointTable } from './audit-checkpoint-table.js';
import { InvalidArgumentError, StoreClosedError } from './errors.js';
import { PageStatementCache, iterateEvents } from './iterate-events.js';
import { openDatabase } from './open-database.js';
import { firstStreamPositionAfter } from './position-search.js';
import { PendingWrites, snapshotFromRow, timerFromRow } from './pending-writes.js';
import { eventsFromRows } from './recorded-event.js';
import { type Statements, type StreamRow, prepareStatements } from './statements.js';
import type {
  AppendOptions,
  AppendResult, AuditCheckpoint, CommittedListener, DurableTimer, EventFilter, EventStore, EventStoreOptions, ExpectedVersion,
  NewEvent, RecordedEvent, Snapshot, StreamInfo, SubscribeOptions, Subscription, VerifyResult,
} from './types.js';
import { type SerialisedEvent, checkExpectedVersion, checkLimit, checkPosition, checkStreamId, serialiseEvents } from './validate-append.js';
import { verifyChain } from './verify-chain.js';
import { WalCheckpointer } from './wal-checkpointer.js';

const DEFAULT_MAX_BATCH_EVENTS = 512;
const DEFAULT_CHECKPOINT_IDLE_MS = 1000;

function defaultReportError(error: unknown, context: string): void {
  console.error(`[event-store] ${context}:`, error);
}

function streamInfo(r: StreamRow): StreamInfo {
  return { streamId: r.stream_id, streamType: r.stream_type, version: r.version, createdPosition: r.created_position };
}

class SqliteEventStore implements EventStore {
  private readonly st: Statements;
  private readonly pending = new PendingWrites();
  private readonly writer: AppendQueue;
  private readonly checkpointer: WalCheckpointer;
  private readonly pages: PageStatementCache;
  private readonly auditCheckpoints: AuditCheckpointTable;
  private readonly fanout: CommittedFanout;
  private closing: Promise<void> | undefined;
  private closed = false;
  private readonly reportError: (error: unknown, context: string) => void;

  constructor(private readonly db: Database.Database, options: EventStoreOptions) {
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
    this.st = prepareStatements(db);
    this.pages = new PageStatementCache(db);
    this.auditCheckpoints = auditCheckpointTable(db);
    this.checkpointer = new WalCheckpointer(db, options.checkpointIdleMs ?? DEFAULT_CHECKPOINT_IDLE_MS, this.reportError);
    this.writer = new AppendQueue(db, this.st, this.pending, options.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS, {
      committed: (events, commit) => this.fanout.committed(events, commit),
      wrote: (bytes) => this.checkpointer.noteWrite(bytes),
      error: this.reportError,
    }, options.lingerMs);
    this.fanout = new CommittedFanout({
      readPage: (after, limit, streamId) =>
        streamId === undefined ? this.readAll(after, limit) : this.readStreamAfter(streamId, after, limit),
      reportError: this.reportError,
    });
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
    this.checkpointer.stop();
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      this.reportError(err, 'close: final wal checkpoint failed');
    }
    this.db.close();
    this.closed = true;
    this.fanout.removeAllListeners();
    if (flushError !== undefined) throw flushError;
  }

  // ---- reads --------------------------------------------------------------------------------------------------

  readStream(streamId: string, fromStreamPosition = 1, limit?: number): RecordedEvent[] {
    this.assertOpen('read a stream');
    const from = checkPosition(fromStreamPosition, 'fromStreamPosition');
    return eventsFromRows(this.st.readStream.all(streamId, from, limit === undefined ? -1 : checkLimit(limit, 'limit')));
  }

  readAll(afterPosition: number, limit: number): RecordedEvent[] {
    this.assertOpen('read the log');
    return eventsFromRows(this.st.readAll.all(checkPosition(afterPosition, 'afterPosition'), checkLimit(limit, 'limit')));
  }

  readStreamAfter(streamId: string, afterPosition: number, limit: number): RecordedEvent[] {
    this.assertOpen('read a stream');
    const after = checkPosition(afterPosition, 'afterPosition');
    const from = firstStreamPositionAfter(this.st, streamId, after);
    return eventsFromRows(this.st.readStreamAfter.all(streamId, from, after, checkLimit(limit, 'limit')));
  }

  iterate(filter?: EventFilter): IterableIterator<RecordedEvent> {
    this.assertOpen('iterate the log');
    return iterateEvents(this.st, this.pages, this.writer.head.position, filter);
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
    return this.st.streamVersion.get(streamId) ?? 0;
  }

  listStreams(prefix?: string): StreamInfo[] {
    this.assertOpen('list streams');
    if (prefix === undefined || prefix === '') return this.st.allStreams.all().map(streamInfo);
    // Ids sharing a prefix are contiguous in the primary-key order: walk from the prefix, stop at the first miss.
    const found: StreamInfo[] = [];
    for (const r of this.st.streamsFrom.iterate(prefix)) {
      if (!r.stream_id.startsWith(prefix)) break;
      found.push(streamInfo(r));
    }
    return found.sort((a, b) => a.createdPosition - b.createdPosition);
  }

  lastEventTypes(prefix: string): Map<string, string> {
    this.assertOpen('read last event types');
    const found = new Map<string, string>();
    for (const [streamId, type] of this.st.lastTypesFrom.iterate(prefix)) {
      if (!streamId.startsWith(prefix)) break;
      found.set(streamId, type);
    }
    return found;
  }

  loadSnapshot(streamId: string): Snapshot | undefined {
    this.assertOpen('load a snapshot');
    const row = this.pending.snapshot(streamId) ?? this.st.getSnapshot.get(streamId);
    return row ? snapshotFromRow(row) : undefined;
  }

  listSnapshots(prefix: string): Map<string, Snapshot> {
    this.assertOpen('list snapshots');
    // one walk over the snapshots table (ids sharing a prefix are contiguous), instead of a query per stream
    const found = new Map<string, Snapshot>();
    for (const r of this.st.snapshotsFrom.iterate(prefix)) {
      if (!r.stream_id.startsWith(prefix)) break;
      found.set(r.stream_id, snapshotFromRow(r));
    }
    // snapshots written since the last commit replace what the table had
    for (const r of this.pending.snapshotRows()) if (r.stream_id.startsWith(prefix)) found.set(r.stream_id, snapshotFromRow(r));
    return found;
  }

  listTimers(): DurableTimer[] {
    this.assertOpen('list timers');
    return this.pending.mergeTimers(this.st.allTimers.all()).map(timerFromRow);
  }

  getCheckpoint(processorId: string): number {
    this.assertOpen('read a checkpoint');
    return this.pending.checkpoint(processorId) ?? this.st.getCheckpoint.get(processorId) ?? 0;
  }

  verifyChain(): VerifyResult {
    this.assertOpen('verify the chain');
    return verifyChain(this.db);
  }

  saveAuditCheckpoint(checkpoint: AuditCheckpoint): void {
    this.assertWritable('save an audit checkpoint');
    if (this.writer.failed) throw this.writer.failed;
    // Never inside the writer's transaction: flushes run synchronously, so no JS runs while one is open.
    this.auditCheckpoints.insert(checkpoint);
  }

  lastAuditCheckpoint(): AuditCheckpoint | undefined {
    this.assertOpen('read the last audit checkpoint');
    return this.auditCheckpoints.last();
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
    return new SqliteEventStore(db, options);
  } catch (err) {
    db.close();
    throw err;
  }
}
