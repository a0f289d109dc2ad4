// Walks the whole log in position order and checks it against the hash chain (see hash.ts for the rule):
// positions 1, 2, 3, ... without a gap, each prev_hash equal to the previous row's stored hash, each stored hash
// equal to the hash recomputed from the stored columns, and `at` never going back. Constant memory (a cursor).
// The chain alone cannot see events cut off the end of the log, so the `streams` table is checked as well:
// each stream's recorded version must match its stored events (1..version).
import type Database from 'better-sqlite3';
import { GENESIS_HASH, computeEventHash } from './hash.js';
import { EVENT_COLUMNS, type EventRow } from './recorded-event.js';
import type { VerifyResult } from './types.js';

interface StreamCheckRow {
  stream_id: string;
  version: number;
  created_position: number;
  last: number | null;
  count: number;
}

export function verifyChain(db: Database.Database): VerifyResult {
  const rows = db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`).raw(true);
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let prevAt = -Infinity;
  let checked = 0;
  const bad = (position: number, reason: string): VerifyResult => ({ ok: false, checked, firstBadPosition: position, reason });

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
    prevHash = storedHash;
    prevAt = at;
    checked += 1;
    expected += 1;
  }
  const head = expected - 1;

  const streams = db.prepare<[], StreamCheckRow>(`
    SELECT s.stream_id, s.version, s.created_position,
           (SELECT max(e.stream_position) FROM events e WHERE e.stream_id = s.stream_id) AS last,
           (SELECT count(*) FROM events e WHERE e.stream_id = s.stream_id) AS count
    FROM streams s ORDER BY s.created_position`);
  for (const s of streams.iterate()) {
    const last = s.last ?? 0;
    if (s.version > last) {
      // The chain is intact up to the head, so the missing events can only have been after it.
      return bad(head + 1, `stream ${s.stream_id} has version ${s.version} but its stored events end at ${last}: events after position ${head} were removed`);
    }
    if (s.version < last || s.count !== last) {
      return bad(s.created_position, `stream ${s.stream_id}: recorded version ${s.version} does not match its ${s.count} stored events (last stream position ${last})`);
    }
  }
  const orphan = db.prepare<[], { position: number | null }>(
    'SELECT min(position) AS position FROM events WHERE stream_id NOT IN (SELECT stream_id FROM streams)',
  ).get();
  if (orphan && orphan.position !== null) return bad(orphan.position, 'event belongs to a stream missing from the streams table');
  return { ok: true, checked };
}
