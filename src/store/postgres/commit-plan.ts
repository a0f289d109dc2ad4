// Numbering a group commit on this node: positions, stream positions and hashes (the SQLite store's rule, hash.ts)
// on top of a head and the stream versions at that head, in call order. Pure: the same batch numbered again on a
// newer head (another node committed first) or without its refused fences gives the next attempt's rows.
import { FencedError } from '../errors.js';
import { computeEventHash } from '../hash.js';
import { StoredEvent } from '../recorded-event.js';
import type { AppendResult } from '../types.js';
import type { Head } from '../write-batch.js';
import type { PgAppendOp } from './commit-batch.js';

export interface StreamRow {
  id: string;
  type: string;
  /** the version the batch numbered from (checked by aintegrix_commit) */
  base: number;
  version: number;
  created: number;
  lastType: string;
}

export interface CommitPlan {
  head: Head;
  /** per append: its result, or the FencedError it is refused with */
  results: (AppendResult | FencedError)[];
  events: StoredEvent[];
  streams: StreamRow[];
  /** the distinct fences the batch's numbered appends rely on */
  fences: { key: string; epoch: number }[];
}

/** A fence refused by PostgreSQL, with who holds that lease now. */
export type RefusedFences = Map<string, { nodeId: string; epoch: number } | undefined>;

export const fenceId = (key: string, epoch: number): string => `${epoch}\u0000${key}`;

function isConflict(expected: PgAppendOp['expected'], actual: number): boolean {
  if (expected === 'any') return false;
  if (expected === 'exists') return actual === 0;
  return expected !== actual;
}

export function planBatch(appends: readonly PgAppendOp[], head: Head, versionOf: (streamId: string) => number, refused: RefusedFences): CommitPlan {
  // One commit time for the batch, never before the previous one's (readers binary-search time ranges).
  const at = Math.max(Date.now(), head.at);
  let position = head.position;
  let prevHash = head.hash;
  const versions = new Map<string, number>();
  const results: (AppendResult | FencedError)[] = new Array(appends.length);
  const events: StoredEvent[] = [];
  const streams = new Map<string, StreamRow>();
  const fences = new Map<string, { key: string; epoch: number }>();
  for (let i = 0; i < appends.length; i++) {
    const op = appends[i]!;
    if (op.fence) {
      const id = fenceId(op.fence.key, op.fence.epoch);
      if (refused.has(id)) {
        results[i] = new FencedError(op.streamId, op.fence, refused.get(id));
        continue;
      }
    }
    let actual = versions.get(op.streamId);
    if (actual === undefined) {
      actual = versionOf(op.streamId);
      versions.set(op.streamId, actual);
    }
    if (isConflict(op.expected, actual)) {
      results[i] = { ok: false, reason: 'conflict', expected: op.expected, actual };
      continue;
    }
    if (op.fence) fences.set(fenceId(op.fence.key, op.fence.epoch), op.fence);
    const firstPosition = position + 1;
    const appended: StoredEvent[] = new Array(op.events.length);
    for (let j = 0; j < op.events.length; j++) {
      const e = op.events[j]!;
      position += 1;
      const streamPosition = actual + j + 1;
      const hash = computeEventHash(prevHash, { position, streamId: op.streamId, streamPosition, type: e.type, at, dataText: e.dataText, metaText: e.metaText });
      const stored = new StoredEvent(position, op.streamId, streamPosition, e.type, at, e.dataText, e.metaText, prevHash, hash);
      appended[j] = stored;
      events.push(stored);
      prevHash = hash;
    }
    const version = actual + op.events.length;
    versions.set(op.streamId, version);
    const lastType = appended[appended.length - 1]!.type;
    const s = streams.get(op.streamId);
    if (s) {
      s.version = version;
      s.lastType = lastType;
    } else {
      streams.set(op.streamId, { id: op.streamId, type: op.streamType, base: actual, version, created: firstPosition, lastType });
    }
    results[i] = { ok: true, firstPosition, lastPosition: position, streamVersion: version, events: appended };
  }
  return { head, results, events, streams: [...streams.values()], fences: [...fences.values()] };
}
