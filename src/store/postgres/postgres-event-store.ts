// The PostgreSQL implementation of EventStore, for several gateway nodes sharing one log. PostgreSQL is the
// authority (commit-batch.ts: group commits, one round trip each); each node reads from its own mirror (mirror.ts:
// SQLite, same rows, positions and hashes), so the contract's reads stay synchronous; the audit reads PostgreSQL.
// The mirror is fed in position order (mirror-feed.ts) by this node's commits and by catch-up reads when another
// node's commit is announced (commit-listener.ts) or the slow poll fires; onCommitted and subscriptions fire as
// rows reach the mirror: every node sees every event, in global order.
import type pg from 'pg';
import { CommittedFanout } from '../committed-fanout.js';
import { StoreClosedError } from '../errors.js';
import { PendingWrites } from '../pending-writes.js';
import type {
  AppendOptions, AppendResult, AuditCheckpoint, AuthorityState, CommittedListener, DurableTimer, EventFilter, EventStore, ExpectedVersion,
  NewEvent, RecordedEvent, Snapshot, StreamInfo, SubscribeOptions, Subscription, VerifyResult,
} from '../types.js';
import { checkExpectedVersion, checkIdText, checkPosition, checkStreamId, checkSubscribeArguments, serialiseEvents } from '../validate-append.js';
import { type CommitContext, type PgBatch, commitBatch } from './commit-batch.js';
import { CommitListener } from './commit-listener.js';
import { CommitQueue } from './commit-queue.js';
import type { Mirror } from './mirror.js';
import { MirrorFeed } from './mirror-feed.js';
import { readDurable } from './pg-reads.js';
import { readAuthority } from './read-authority.js';

export interface PostgresStoreParts {
  pool: pg.Pool;
  mirror: Mirror;
  url: string;
  nodeId: string;
  pollMs: number;
  maxBatchEvents: number;
  lingerMs: number;
  /** how long an append whose commit's outcome is unknown (connection lost) waits to learn it */
  inDoubtTimeoutMs: number;
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
  private readonly feed: MirrorFeed;
  private readonly commitContext: CommitContext;
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
    this.feed = new MirrorFeed(this.mirror, this.pool, this.fanout, this.reportError);
    this.commitContext = {
      pool: this.pool,
      nodeId: this.nodeId,
      head: () => this.mirror.head,
      versionOf: (streamId) => this.mirror.reads.streamVersion(streamId),
      ingest: (events) => this.feed.ingest(events, undefined),
      inDoubtTimeoutMs: p.inDoubtTimeoutMs,
      sending: (upTo) => this.feed.expect(upTo),
    };
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
      look: (position) => this.feed.heard(position),
      error: this.reportError,
    });
  }

  /** Start listening for other nodes' commits, then catch up with what they committed meanwhile. */
  async start(): Promise<void> {
    await this.listener.start();
    await this.feed.catchUp();
  }

  // ---- writes -------------------------------------------------------------------------------------------------
  appendToStream(streamId: string, expected: ExpectedVersion, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new StoreClosedError(`append to ${String(streamId)}`));
    if (this.feed.failure) return Promise.reject(this.feed.failure);
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

  /** One group commit, then its rows into the mirror, announced (commit-batch.ts catches up with other nodes). */
  private async commit(batch: PgBatch): Promise<(AppendResult | Error)[]> {
    if (this.feed.failure) throw this.feed.failure;
    const startedAt = performance.now();
    try {
      const outcome = await commitBatch(this.commitContext, batch);
      this.feed.ingest(outcome.events, { startedAt, durationMs: performance.now() - startedAt });
      return outcome.results;
    } finally {
      this.feed.expect(0);
    }
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
    if (this.feed.failure) throw this.feed.failure;
    this.mirror.saveAuditCheckpoint(checkpoint);
    this.queue.addSide({ snapshots: new Map(), timers: new Map(), checkpoints: new Map() }, { ...checkpoint }, true);
  }

  async refreshStreams(streamIds: readonly string[]): Promise<void> {
    this.assertWritable('refresh streams');
    for (const id of streamIds) checkStreamId(id);
    const rows = await readDurable(this.pool, streamIds);
    this.mirror.replaceDurable(rows, streamIds);
    await this.feed.catchUp();
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
    await this.feed.stop();
    this.closed = true;
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

  /** The log as PostgreSQL holds it (the audit's source on this store, not the mirror). */
  readAuthority(positions: readonly number[]): Promise<AuthorityState> {
    this.assertWritable('read the log in PostgreSQL');
    return readAuthority(this.pool, positions);
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
