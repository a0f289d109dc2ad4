// The body of one group commit, run by whoever owns the write connection (the writer thread, writer-thread.ts, or
// the in-thread committer of a ':memory:' database): expected-version checks in call order, positions and hashes
// assigned, rows inserted, COMMIT. What goes back to the appenders is small (versions and hashes): they already
// hold the event texts, so the stored events are rebuilt on their side (batch-committer.ts) without a copy.
import type Database from 'better-sqlite3';
import { type AuditCheckpointTable, auditCheckpointTable } from './audit-checkpoint-table.js';
import { GENESIS_HASH, computeEventHash } from './hash.js';
import { applySideWrites, sideWriteCount } from './pending-writes.js';
import type { Statements } from './statements.js';
import type { ExpectedVersion } from './types.js';
import { type BatchRequest, BatchReader } from './batch-request.js';

/** Width of one hash in BatchCommitted.hashes (lowercase hex, one byte per character). */
export const HASH_CHARS = 64;

/** The hashes of a committed batch, readable with hashAt (one Buffer view for the batch, not one per event). */
export function hashList(hashes: Uint8Array): Buffer {
  return Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
}

/** The hash of the `i`th written event of a committed batch. */
export function hashAt(list: Buffer, i: number): string {
  return list.toString('latin1', i * HASH_CHARS, (i + 1) * HASH_CHARS);
}

export interface Head {
  position: number;
  hash: string;
  at: number;
}

/** A committed batch. Appends that passed their check got consecutive positions, in call order, from `before.position + 1`. */
export interface BatchCommitted {
  ok: true;
  /** the head before and after the batch */
  before: Head;
  head: Head;
  /** commit time of every event of the batch */
  at: number;
  /**
   * per append: the stream's version when it was checked. A typed array, moved with the hashes: a plain array
   * made with `new Array(n)` is holey, and V8 clones a holey array key by key (measured: ~1.6 ms for 500 appends,
   * the writer's postMessage then cost as much as the COMMIT)
   */
  actual: Float64Array;
  /** per append: 1 when its expected version did not match (nothing written for it) */
  conflict: Uint8Array;
  /**
   * hash of every written event, in position order, HASH_CHARS bytes each (see hashAt): one buffer, handed to the
   * appenders' thread without a copy, rather than an array of strings cloned one by one
   */
  hashes: Uint8Array;
  /** approximately what the commit added to the WAL (for the checkpoint trigger) */
  bytes: number;
}

/** A batch that did not commit: nothing of it is in the log. */
export interface BatchFailed {
  ok: false;
  /** the SQLite error, as plain data (it crosses a thread) */
  error: { name: string; message: string; code?: string };
  /** the head re-read from the database after the rollback, or undefined when even that failed */
  head: Head | undefined;
  /** why the head could not be re-read (the store must then refuse further writes) */
  resyncError?: string;
}

/** The writer thread went away (crashed, was terminated): whether its last batch committed is unknown. */
export interface WriterDied {
  ok: false;
  died: string;
}

export type BatchOutcome = BatchCommitted | BatchFailed | WriterDied;

/** The buffers a committed batch's answer hands over instead of copying (postMessage transfer list). */
export function outcomeTransferables(outcome: BatchCommitted): ArrayBuffer[] {
  return [outcome.hashes.buffer as ArrayBuffer, outcome.actual.buffer as ArrayBuffer, outcome.conflict.buffer as ArrayBuffer];
}

// What a commit adds to the WAL, for the checkpoint trigger only. SQLite appends a whole frame (page + 24-byte
// header) for every page a commit touched, so a small commit costs frames, not its bytes: the rightmost page of
// the events table, a leaf of each of its two indexes, and a page of the table of streams, at least, plus one per
// stream and per side write. Measured on a REST turn (3 commits): ~24 KB of WAL per commit for ~1 KB of rows.
const ROW_OVERHEAD_BYTES = 200;
const FRAME_BYTES = 4096 + 24;
const FRAMES_PER_COMMIT = 4;

interface TouchedStream {
  type: string;
  version: number;
  /** position of the batch's first event of the stream (0: none written) */
  firstPosition: number;
  /** type of the stream's last event written by the batch */
  lastType: string;
}

function isConflict(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return false;
  if (expected === 'exists') return actual === 0;
  return expected !== actual;
}

export function readHead(st: Statements): Head {
  const row = st.head.get();
  return row ? { position: row[0], hash: row[1], at: row[2] } : { position: 0, hash: GENESIS_HASH, at: 0 };
}

/** Runs inside the transaction: check versions in call order, assign positions, hash, insert. */
function writeBatch(st: Statements, audit: AuditCheckpointTable, head: Head, req: BatchRequest): BatchCommitted {
  const { appendCount, side } = req;
  const r = new BatchReader(req);
  let position = head.position;
  let prevHash = head.hash;
  // One commit time for the batch, never before the previous one: `at` is non-decreasing along `position`,
  // which lets readers binary-search time ranges (and verifyChain checks it).
  const at = Math.max(Date.now(), head.at);
  const actuals = new Float64Array(appendCount);
  const conflict = new Uint8Array(appendCount);
  const hashes = Buffer.allocUnsafeSlow(req.eventCount * HASH_CHARS); // its own ArrayBuffer: transferable
  let written = 0;
  let bytes = 0;
  // The streams this batch touches, each read once (inside the transaction) and written once at the end: a batch
  // of one-event appends over a few streams costs one INSERT per event, not three statements.
  const streams = new Map<string, TouchedStream>();

  for (let i = 0; i < appendCount; i++) {
    const streamId = r.nextText();
    const streamType = r.nextText();
    const expected = r.expected(i);
    const n = r.eventCount(i);
    let stream = streams.get(streamId);
    if (stream === undefined) {
      stream = { type: streamType, version: st.streamVersion.get(streamId) ?? 0, firstPosition: 0, lastType: '' };
      streams.set(streamId, stream);
    }
    const actual = stream.version;
    actuals[i] = actual;
    if (isConflict(expected, actual)) {
      conflict[i] = 1;
      r.skip(3 * n);
      continue;
    }
    if (stream.firstPosition === 0) stream.firstPosition = position + 1;
    for (let j = 0; j < n; j++) {
      const type = r.nextText();
      const dataText = r.nextText();
      const metaText = r.nextText();
      position += 1;
      const streamPosition = actual + j + 1;
      const hash = computeEventHash(prevHash, { position, streamId, streamPosition, type, at, dataText, metaText });
      st.insertEvent.run(position, streamId, streamPosition, type, dataText, metaText, at, prevHash, hash);
      hashes.write(hash, written++ * HASH_CHARS, HASH_CHARS, 'latin1');
      prevHash = hash;
      bytes += dataText.length + metaText.length + ROW_OVERHEAD_BYTES;
      stream.lastType = type;
    }
    stream.version = actual + n;
  }
  // created_position only counts for a new stream (the upsert keeps an existing row's)
  for (const [streamId, s] of streams) if (s.firstPosition !== 0) st.upsertStream.run(streamId, s.type, s.version, s.firstPosition, s.lastType);

  const sideCount = sideWriteCount(side);
  if (sideCount > 0) applySideWrites(st, side, audit);
  bytes += FRAME_BYTES * (FRAMES_PER_COMMIT + streams.size + sideCount);
  const after = { position, hash: prevHash, at: written > 0 ? at : head.at };
  return { ok: true, before: head, head: after, at, actual: actuals, conflict, hashes, bytes };
}

/**
 * The write connection and its prepared statements, and the head as committed on it. `commit` never throws: a
 * failed batch is rolled back and the head re-read from the database rather than trusted from memory.
 */
export class BatchWriter {
  private headState: Head;
  private readonly txn: Database.Transaction<(req: BatchRequest) => BatchCommitted>;

  constructor(
    private readonly db: Database.Database,
    private readonly st: Statements,
  ) {
    this.headState = readHead(st);
    const audit = auditCheckpointTable(db);
    this.txn = db.transaction((req: BatchRequest) => writeBatch(st, audit, this.headState, req));
  }

  get head(): Head {
    return this.headState;
  }

  commit(req: BatchRequest): BatchOutcome {
    try {
      const done = this.txn.immediate(req);
      this.headState = done.head;
      return done;
    } catch (cause) {
      const e = cause as { name?: unknown; message?: unknown; code?: unknown };
      const error = {
        name: typeof e?.name === 'string' ? e.name : 'Error',
        message: typeof e?.message === 'string' ? e.message : String(cause),
        ...(typeof e?.code === 'string' ? { code: e.code } : {}),
      };
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        this.headState = readHead(this.st);
        return { ok: false, error, head: this.headState };
      } catch (resync) {
        return { ok: false, error, head: undefined, resyncError: resync instanceof Error ? resync.message : String(resync) };
      }
    }
  }
}
