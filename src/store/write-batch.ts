// The body of one group commit, run inside the writer's transaction: expected-version checks in call order,
// positions and hashes assigned, rows inserted, and an estimate of what the commit adds to the WAL.
import { GENESIS_HASH, computeEventHash } from './hash.js';
import { type SideWrites, applySideWrites, sideWriteCount } from './pending-writes.js';
import { StoredEvent } from './recorded-event.js';
import type { Statements } from './statements.js';
import type { AppendResult, ExpectedVersion } from './types.js';
import type { SerialisedEvent } from './validate-append.js';

/** One entry of a batch: an append, or a barrier (flush()) that writes nothing. */
export type BatchOp =
  | { kind: 'append'; streamId: string; streamType: string; expected: ExpectedVersion; events: SerialisedEvent[] }
  | { kind: 'barrier' };

export interface Head {
  position: number;
  hash: string;
  at: number;
}

export interface BatchOutcome {
  head: Head;
  results: (AppendResult | undefined)[];
  events: StoredEvent[];
  bytes: number;
}

// What a commit adds to the WAL, for the checkpoint trigger only. SQLite appends a whole frame (page + 24-byte
// header) for every page a commit touched, so a small commit costs frames, not its bytes: the rightmost page of
// the events table, a leaf of each of its two indexes, and a page of the table of streams, at least, plus one per
// stream and per side write. Measured on a REST turn (3 commits): ~24 KB of WAL per commit for ~1 KB of rows.
const ROW_OVERHEAD_BYTES = 200;
const FRAME_BYTES = 4096 + 24;
const FRAMES_PER_COMMIT = 4;

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
export function writeBatch(st: Statements, head: Head, batch: readonly BatchOp[], side: SideWrites): BatchOutcome {
  let position = head.position;
  let prevHash = head.hash;
  // One commit time for the batch, never before the previous one: `at` is non-decreasing along `position`,
  // which lets readers binary-search time ranges (and verifyChain checks it).
  const at = Math.max(Date.now(), head.at);
  const results: (AppendResult | undefined)[] = new Array(batch.length);
  const events: StoredEvent[] = [];
  let bytes = 0;
  const streams = new Set<string>(); // distinct streams: each touches its own index leaf and row

  for (let i = 0; i < batch.length; i++) {
    const op = batch[i]!;
    if (op.kind !== 'append') continue;
    streams.add(op.streamId);
    // Read inside the transaction, so it includes the earlier appends of this batch.
    const actual = st.streamVersion.get(op.streamId) ?? 0;
    if (isConflict(op.expected, actual)) {
      results[i] = { ok: false, reason: 'conflict', expected: op.expected, actual };
      continue;
    }
    const firstPosition = position + 1;
    const appended: StoredEvent[] = new Array(op.events.length);
    for (let j = 0; j < op.events.length; j++) {
      const e = op.events[j]!;
      position += 1;
      const streamPosition = actual + j + 1;
      const hash = computeEventHash(prevHash, {
        position, streamId: op.streamId, streamPosition, type: e.type, at, dataText: e.dataText, metaText: e.metaText,
      });
      st.insertEvent.run(position, op.streamId, streamPosition, e.type, e.dataText, e.metaText, at, prevHash, hash);
      const stored = new StoredEvent(position, op.streamId, streamPosition, e.type, at, e.dataText, e.metaText, prevHash, hash);
      appended[j] = stored;
      events.push(stored);
      prevHash = hash;
      bytes += e.dataText.length + e.metaText.length + ROW_OVERHEAD_BYTES;
    }
    const version = actual + op.events.length;
    st.upsertStream.run(op.streamId, op.streamType, version, firstPosition);
    results[i] = { ok: true, firstPosition, lastPosition: position, streamVersion: version, events: appended };
  }

  const sideCount = sideWriteCount(side);
  if (sideCount > 0) applySideWrites(st, side);
  bytes += FRAME_BYTES * (FRAMES_PER_COMMIT + streams.size + sideCount);
  return { head: { position, hash: prevHash, at: events.length > 0 ? at : head.at }, results, events, bytes };
}
