// Walks the whole log in position order and checks it against the hash chain (see hash.ts for the rule):
// positions 1, 2, 3, ... without a gap, each prev_hash equal to the previous row's stored hash, each stored hash
// equal to the hash recomputed from the stored columns, and `at` never going back.
//
// Stream versions are part of the chain, not beside it: every event's hash covers its stream_id and
// stream_position, and the walk requires each stream's positions to run 1, 2, 3, ... in log order. The `streams`
// table (which the hash does not cover) is then compared with that fold: every stream's recorded version and first
// position must be what the chained events say, and no stream may be missing or extra. So the table can never
// vouch for anything by itself; it only has to agree with the chain. Example: events
//   1 session:a#1, 2 session:b#1, 3 session:a#2   fold to   session:a → version 2 (from 1), session:b → 1 (from 2)
// and a `streams` row saying session:a has version 3 means an event of session:a after position 3 was cut off.
// What the chain alone cannot see is a log cut at its end with the table fixed to match: that takes the signed
// checkpoints of the head (src/audit/checkpoint-mac.ts), checked by src/audit/anchored-verify.ts.
import type Database from 'better-sqlite3';
import { GENESIS_HASH, computeEventHash } from './hash.js';
import { EVENT_COLUMNS, type EventRow } from './recorded-event.js';
import type { VerifyResult } from './types.js';

interface StreamRowToCheck {
  stream_id: string;
  version: number;
  created_position: number;
}

interface FoldedStream {
  version: number;
  first: number;
}

export interface ChainWalk {
  result: VerifyResult;
  /** the newest event walked (position 0 and GENESIS_HASH for an empty log); the head only when result.ok */
  head: { position: number; hash: string };
}

export function verifyChain(db: Database.Database): VerifyResult {
  return walkChain(db).result;
}

/** The chain walk, with the head it reached (what signed checkpoints and expected heads are compared with). */
export function walkChain(db: Database.Database): ChainWalk {
  const rows = db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`).raw(true);
  const streams = new Map<string, FoldedStream>();
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let prevAt = -Infinity;
  let checked = 0;
  const bad = (position: number, reason: string): ChainWalk => ({
    result: { ok: false, checked, firstBadPosition: position, reason },
    head: { position: expected - 1, hash: prevHash },
  });

  for (const [position, streamId, streamPosition, type, dataText, metaText, at, storedPrev, storedHash] of rows.iterate()) {
    // Returning from inside for...of closes the cursor (iterator.return()), so the connection is free again.
    if (position !== expected) {
      return bad(expected, `event ${expected} is missing (the next stored event is ${position})`);
    }
    if (storedPrev !== prevHash) {
      return bad(position, position === 1
        ? 'prev_hash of the first event is not the genesis hash'
        : `prev_hash does not match the stored hash of event ${position - 1}`);
    }
    const hash = computeEventHash(storedPrev, { position, streamId, streamPosition, type, at, dataText, metaText });
    if (hash !== storedHash) return bad(position, 'stored hash does not match the event as stored (the row was changed)');
    if (at < prevAt) return bad(position, `at (${at}) is earlier than the previous event's (${prevAt})`);
    const folded = streams.get(streamId);
    const previous = folded?.version ?? 0;
    if (streamPosition !== previous + 1) {
      return bad(position, `stream ${streamId}: stream_position ${streamPosition} does not follow ${previous}`);
    }
    if (folded) folded.version = streamPosition;
    else streams.set(streamId, { version: streamPosition, first: position });
    prevHash = storedHash;
    prevAt = at;
    checked += 1;
    expected += 1;
  }
  const head = expected - 1;

  const table = db.prepare<[], StreamRowToCheck>('SELECT stream_id, version, created_position FROM streams ORDER BY created_position');
  const seen = new Set<string>();
  for (const s of table.iterate()) {
    seen.add(s.stream_id);
    const folded = streams.get(s.stream_id);
    const last = folded?.version ?? 0;
    if (!folded || s.version > last) {
      // The chain is intact up to the head, so the missing events can only have been after it.
      return bad(head + 1, `stream ${s.stream_id} has version ${s.version} but its stored events end at ${last}: events after position ${head} were removed`);
    }
    if (s.version < last) {
      return bad(folded.first, `stream ${s.stream_id}: recorded version ${s.version} does not match its ${last} stored events`);
    }
    if (s.created_position !== folded.first) {
      return bad(folded.first, `stream ${s.stream_id}: recorded first position ${s.created_position} is not its first event's (${folded.first})`);
    }
  }
  let orphan: number | undefined;
  for (const [id, f] of streams) if (!seen.has(id) && (orphan === undefined || f.first < orphan)) orphan = f.first;
  if (orphan !== undefined) return bad(orphan, 'event belongs to a stream missing from the streams table');
  return { result: { ok: true, checked }, head: { position: head, hash: prevHash } };
}
