// The contract of the event store. Everything else in the gateway reads and writes the log through this
// interface, so that a server database or a distributed log can later stand behind it (see DESIGN.md).
import type { AuditCheckpoint } from './audit-checkpoint-table.js';

export type { AuditCheckpoint } from './audit-checkpoint-table.js';

/** Who and what caused an event. Never holds a secret: `principal` is a token *name*, never a token. */
export interface EventMeta {
  /** token name of the caller, `agent:<name>` for agent-originated facts, `system` for the runtime */
  principal?: string;
  /** the scopes that caller's token held (`auth.tokens[].scopes`), on command events */
  scopes?: readonly string[];
  /** id of the HTTP/WS/MCP request that caused the event */
  request_id?: string;
  /** client address (ip) of that request */
  client?: string;
  /** position of the event that caused this one */
  causation?: number;
  /** groups the events of one logical operation (a turn, a boot, ...) */
  correlation?: string;
  [key: string]: unknown;
}

/** An event as handed to `appendToStream`. `data` must be JSON-serialisable. */
export interface NewEvent {
  type: string;
  data: unknown;
  meta?: EventMeta;
  /**
   * The JSON text of `data`, when the caller already has it (an agent's message line, stored byte for byte as the
   * agent sent it): the store keeps this text instead of serialising `data` again. It must be valid JSON whose
   * value is `data`.
   */
  dataText?: string;
}

/**
 * An event as it is in the log. `dataText`/`metaText` are the exact JSON texts stored (and hashed);
 * `data`/`meta` parse them lazily, so fan-out paths can forward the text without a parse/stringify round trip.
 */
export interface RecordedEvent {
  /** global position: commit order, 1-based, gap-free in SQLite; the one cursor of every stream */
  readonly position: number;
  readonly streamId: string;
  /** position inside its stream, 1-based; the stream's version after this event */
  readonly streamPosition: number;
  readonly type: string;
  /** commit time, ms since the epoch; never earlier than the previous event's (time filters rely on it) */
  readonly at: number;
  readonly dataText: string;
  readonly metaText: string;
  readonly data: unknown;
  readonly meta: EventMeta;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * Expected version of a stream for optimistic concurrency:
 * a number = the stream's current version must be exactly this (0 = the stream must not exist yet);
 * 'any' = no check; 'exists' = the stream must have at least one event.
 */
export type ExpectedVersion = number | 'any' | 'exists';

export type AppendResult =
  | {
      ok: true;
      /** positions of the first and last appended events */
      firstPosition: number;
      lastPosition: number;
      /** the stream's version after the append */
      streamVersion: number;
      events: RecordedEvent[];
    }
  | {
      ok: false;
      reason: 'conflict';
      expected: ExpectedVersion;
      /** the stream's version when the append was tried */
      actual: number;
    };

export type Durability = 'strict' | 'fast';

export interface EventStoreOptions {
  /** path of the SQLite file; ':memory:' is allowed in unit tests only */
  path: string;
  /** strict = synchronous FULL (default), fast = synchronous NORMAL */
  durability?: Durability;
  /** flush a batch when this many events are queued (default 512) */
  maxBatchEvents?: number;
  /** run a passive WAL checkpoint when the append path has been idle this long (ms, default 1000) */
  checkpointIdleMs?: number;
  /** how long a lingering append (AppendOptions.linger) waits for others to share its commit (ms, default 2) */
  lingerMs?: number;
  /**
   * Where failures that have no caller to reject go: a throwing `onCommitted` listener or subscription handler,
   * a failed background checkpoint, snapshot/timer/checkpoint writes lost with a failed batch.
   * Default: console.error.
   */
  onError?: (error: unknown, context: string) => void;
}

/** Filters of `iterate` (all optional, combined with AND). */
export interface EventFilter {
  /** only events with position > afterPosition */
  afterPosition?: number;
  streamId?: string;
  type?: string;
  /** only events with at >= since (ms since the epoch, inclusive) */
  since?: number;
  /** only events with at < until (ms since the epoch, exclusive) */
  until?: number;
}

export interface Subscription {
  /** stop delivery; safe to call twice */
  close(): void;
  /** position of the last event delivered to the handler */
  readonly lastDelivered: number;
}

export interface SubscribeOptions {
  /** only events of this stream (default: all streams) */
  streamId?: string;
  /** catch-up page size (default 500) */
  pageSize?: number;
}

export type VerifyResult =
  | { ok: true; checked: number }
  | { ok: false; checked: number; firstBadPosition: number; reason: string };

export interface Snapshot {
  streamId: string;
  /** stream position the snapshot covers (events up to and including it are folded in) */
  streamPosition: number;
  machineVersion: string;
  snapshot: unknown;
}

export interface DurableTimer {
  streamId: string;
  timerId: string;
  /** ms since the epoch */
  dueAt: number;
  /** the event to deliver to the stream's actor when the timer fires */
  event: unknown;
}

export interface StreamInfo {
  streamId: string;
  /** the part before the first ':' (session, agent, orchestration, pipeline, ...) */
  streamType: string;
  version: number;
  /** position of the stream's first event (so listings can be ordered by creation) */
  createdPosition: number;
}

export interface AppendOptions {
  /**
   * The append may wait a few milliseconds for other appends to share its commit, instead of
   * starting one at the next turn of the event loop. For records nobody waits on (protocol traffic that has already
   * gone out): under strict durability a commit is an fsync, and the next awaited append takes these along.
   * The wait is the store's `lingerMs` (default 2 ms).
   */
  linger?: boolean;
}

/** How long a group commit took: when it began (performance.now()) and its duration in ms, COMMIT included. */
export interface CommitTiming {
  startedAt: number;
  durationMs: number;
}

/** `commit` is set on live commits (onCommitted); catch-up pages of a subscription have none. */
export type CommittedListener = (events: readonly RecordedEvent[], commit?: CommitTiming) => void;

/** The event store. One instance per process owns the database file (one writer). */
export interface EventStore {
  /**
   * Queue events for `streamId` and resolve once they are committed (durably, under 'strict').
   * Appends queued in the same event-loop turn are committed together in one transaction (group commit),
   * in the order they were called. The expected-version check happens at commit time, in that order.
   * A conflict is a result, not an exception; a storage failure rejects every append of the batch.
   * `streamId` is `<type>:<id>` (type: a letter, then letters, digits, `_`, `-`, `.`); `events` is non-empty; each
   * `data`/`meta` is JSON-serialised at call time (invalid arguments reject with InvalidArgumentError).
   */
  appendToStream(streamId: string, expected: ExpectedVersion, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;

  /** Events of one stream with streamPosition >= fromStreamPosition (1-based), in order. */
  readStream(streamId: string, fromStreamPosition?: number, limit?: number): RecordedEvent[];
  /** Events of all streams with position > afterPosition, in commit order, at most `limit`. */
  readAll(afterPosition: number, limit: number): RecordedEvent[];
  /** Like readAll, restricted to one stream (uses the stream index, not a scan). */
  readStreamAfter(streamId: string, afterPosition: number, limit: number): RecordedEvent[];
  /**
   * Iterate over the log lazily (constant memory) with optional filters; used by exports. Reads in pages, so the
   * connection stays free for the writer between pages (an open SQLite cursor would block every commit); it ends
   * at the head as of the call, so an export is a stable cut of the log.
   */
  iterate(filter?: EventFilter): IterableIterator<RecordedEvent>;

  /** Position of the newest committed event (0 when the log is empty). */
  headPosition(): number;
  /** The newest committed event's position and stored hash (0 and GENESIS_HASH when the log is empty). */
  head(): { position: number; hash: string };
  /** Current version of a stream (0 when it does not exist). */
  streamVersion(streamId: string): number;
  /** Streams whose id starts with `prefix` (all when omitted), ordered by creation. */
  listStreams(prefix?: string): StreamInfo[];
  /** The type of the last event of every stream whose id starts with `prefix` (boot: which streams are finished). */
  lastEventTypes(prefix: string): Map<string, string>;

  /** Called synchronously after each commit with the batch's events, in commit order. */
  onCommitted(listener: CommittedListener): () => void;
  /**
   * Deliver every event with position > afterPosition, first from the log (paged, asynchronously), then live
   * as commits happen: in commit order, with no gap and no duplicate. The handler gets batches.
   * A handler that throws is reported (the store's `onError`) and its subscription is closed: carrying on would
   * leave a gap from the handler's point of view. `lastDelivered` then names the last batch it accepted.
   */
  subscribe(afterPosition: number, handler: CommittedListener, options?: SubscribeOptions): Subscription;

  /** Walk the hash chain from the first event; names the first position whose hash does not match. */
  verifyChain(): VerifyResult;

  /**
   * Store a signed checkpoint of the head now, in a small transaction of its own beside the group commit
   * (src/audit/checkpointer.ts signs it; the store only keeps it). Throws if the row cannot be written.
   */
  saveAuditCheckpoint(checkpoint: AuditCheckpoint): void;
  /** The newest stored checkpoint (highest seq), if any. */
  lastAuditCheckpoint(): AuditCheckpoint | undefined;

  // Snapshots, timers and checkpoints: writes are serialised at call time and queued; they commit with the next
  // batch (`flush()` makes them durable now). Timers and checkpoints start a batch of their own at once; a snapshot
  // waits up to a second for events to ride along with. Reads see queued writes at once (read-your-writes).
  /** Keep only this snapshot for its stream (the last one saved wins). `snapshot` must be JSON-serialisable. */
  saveSnapshot(snapshot: Snapshot): void;
  loadSnapshot(streamId: string): Snapshot | undefined;
  /** Every snapshot of the streams whose id starts with `prefix`, read in one pass (boot). */
  listSnapshots(prefix: string): Map<string, Snapshot>;

  setTimer(timer: DurableTimer): void;
  clearTimer(streamId: string, timerId: string): void;
  /** All timers, earliest `dueAt` first. */
  listTimers(): DurableTimer[];

  /** Last position a processor recorded (0 when none). */
  getCheckpoint(processorId: string): number;
  setCheckpoint(processorId: string, position: number): void;

  /** Resolve once everything queued so far is committed. */
  flush(): Promise<void>;
  /** Flush, checkpoint the WAL and close the database. */
  close(): Promise<void>;
}
