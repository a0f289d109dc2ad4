// Walks the whole log in position order and checks it against the hash chain (see hash.ts for the rule):
// positions 1, 2, 3, ... without a gap, each prev_hash equal to the previous row's stored hash, each stored hash
// equal to the hash recomputed from the stored columns, and `at` never going back.
//
// Stream versions are part of the chain, not beside it: every event's hash covers its stream_id and
// stream_position, and the walk requires each stream's positions to run 1, 2, 3, ... in log order. The `streams`
// table (which the hash does not cover) is then compared with that fold: every stream's recorded version, first
// position and last event type must be what the chained events say, and no stream may be missing or extra. So the table can never
// vouch for anything by itself; it only has to agree with the chain. Example: events
//   1 session:a#1, 2 session:b#1, 3 session:a#2   fold to   session:a → version 2 (from 1), session:b → 1 (from 2)
// and a `streams` row saying session:a has version 3 means an event of session:a after position 3 was cut off.
// What the chain alone cannot see is a log cut at its end with the table fixed to match: that takes the signed
// checkpoints of the head (src/audit/checkpoint-mac.ts), checked by src/audit/anchored-verify.ts.
import type Database from 'better-sqlite3';
import { GENESIS_HASH, computeEventHash } from './hash.js';
import { EVENT_COLUMNS, type EventRow } from './recorded-event.js';
import type { VerifyResult } from './types.js';

export interface StreamRowToCheck {
  stream_id: string;
  version: number;
  created_position: number;
  last_type: string;
}

interface FoldedStream {
  version: number;
  first: number;
  /** position and type of its last event */
  last: number;
  lastType: string;
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
  const walker = new ChainWalker();
  const rows = db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`).raw(true);
  // Returning from inside for...of closes the cursor (iterator.return()), so the connection is free again.
  for (const row of rows.iterate()) if (!walker.event(row)) return walker.failed!;
  const table = db.prepare<[], StreamRowToCheck>('SELECT stream_id, version, created_position, last_type FROM streams ORDER BY created_position');
  for (const s of table.iterate()) if (!walker.stream(s)) return walker.failed!;
  return walker.end();
}

/**
 * The walk itself, fed row by row: the events in position order, then the streams table in created_position
 * order, then end(). A false return means the walk failed (`failed` says where); feed nothing more. The SQLite
 * log walks its file with it; the postgres store walks PostgreSQL's tables page by page (verify-authority.ts).
 */
export class ChainWalker {
  failed: ChainWalk | undefined;
  private readonly streams = new Map<string, FoldedStream>();
  private readonly seen = new Set<string>();
  private expected = 1;
  private prevHash = GENESIS_HASH;
  private prevAt = -Infinity;
  private checked = 0;

  private bad(position: number, reason: string): false {
    this.failed = {
      result: { ok: false, checked: this.checked, firstBadPosition: position, reason },
      head: { position: this.expected - 1, hash: this.prevHash },
    };
    return false;
  }

  event([position, streamId, streamPosition, type, dataText, metaText, at, storedPrev, storedHash]: EventRow): boolean {
    const expected = this.expected;
    if (position !== expected) return this.bad(expected, `event ${expected} is missing (the next stored event is ${position})`);
    if (storedPrev !== this.prevHash) {
      return this.bad(position, position === 1
        ? 'prev_hash of the first event is not the genesis hash'
        : `prev_hash does not match the stored hash of event ${position - 1}`);
    }
    const hash = computeEventHash(storedPrev, { position, streamId, streamPosition, type, at, dataText, metaText });
    if (hash !== storedHash) return this.bad(position, 'stored hash does not match the event as stored (the row was changed)');
    if (at < this.prevAt) return this.bad(position, `at (${at}) is earlier than the previous event's (${this.prevAt})`);
    const folded = this.streams.get(streamId);
    const previous = folded?.version ?? 0;
    if (streamPosition !== previous + 1) {
      return this.bad(position, `stream ${streamId}: stream_position ${streamPosition} does not follow ${previous}`);
    }
    if (folded) {
      folded.version = streamPosition;
      folded.last = position;
      folded.lastType = type;
    } else this.streams.set(streamId, { version: streamPosition, first: position, last: position, lastType: type });
    this.prevHash = storedHash;
    this.prevAt = at;
    this.checked += 1;
    this.expected += 1;
    return true;
  }

  /** One row of the streams table (which the hash does not cover): it must agree with the fold of the chain. */
  stream(s: StreamRowToCheck): boolean {
    const head = this.expected - 1;
    this.seen.add(s.stream_id);
    const folded = this.streams.get(s.stream_id);
    const last = folded?.version ?? 0;
    if (!folded || s.version > last) {
      // The chain is intact up to the head, so the missing events can only have been after it.
      return this.bad(head + 1, `stream ${s.stream_id} has version ${s.version} but its stored events end at ${last}: events after position ${head} were removed`);
    }
    if (s.version < last) {
      return this.bad(folded.first, `stream ${s.stream_id}: recorded version ${s.version} does not match its ${last} stored events`);
    }
    if (s.created_position !== folded.first) {
      return this.bad(folded.first, `stream ${s.stream_id}: recorded first position ${s.created_position} is not its first event's (${folded.first})`);
    }
    // boot skips finished streams by this type: a wrong one could hide a live stream or wake a finished one
    if (s.last_type !== folded.lastType) {
      return this.bad(folded.last, `stream ${s.stream_id}: recorded last event type "${s.last_type}" is not its last event's ("${folded.lastType}")`);
    }
    return true;
  }

  end(): ChainWalk {
    if (this.failed) return this.failed;
    let orphan: number | undefined;
    for (const [id, f] of this.streams) if (!this.seen.has(id) && (orphan === undefined || f.first < orphan)) orphan = f.first;
    if (orphan !== undefined) {
      this.bad(orphan, 'event belongs to a stream missing from the streams table');
      return this.failed!;
    }
    return { result: { ok: true, checked: this.checked }, head: { position: this.expected - 1, hash: this.prevHash } };
  }
}
