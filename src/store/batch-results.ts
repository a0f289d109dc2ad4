// What the appenders of a committed batch get back. The writer answers with versions and hashes only: the event
// texts never went back across the thread, so the stored events are rebuilt here from what the appenders queued.
import { StoredEvent } from './recorded-event.js';
import type { AppendResult, ExpectedVersion } from './types.js';
import type { SerialisedEvent } from './validate-append.js';
import { type BatchCommitted, hashAt, hashList } from './write-batch.js';

/** An append as it was queued (the queue's other entries, barriers, get no result). */
export interface AppendOp {
  kind: 'append';
  streamId: string;
  expected: ExpectedVersion;
  events: SerialisedEvent[];
}

export interface BatchResults {
  /** per entry of the batch: its append's result (undefined for a barrier) */
  results: (AppendResult | undefined)[];
  /** every event written, in position order */
  events: StoredEvent[];
}

export function batchResults(batch: readonly (AppendOp | { kind: 'barrier' })[], outcome: BatchCommitted): BatchResults {
  const results: (AppendResult | undefined)[] = new Array(batch.length);
  const events: StoredEvent[] = [];
  const { at, actual, conflict } = outcome;
  const hashes = hashList(outcome.hashes);
  let position = outcome.before.position;
  let prevHash = outcome.before.hash;
  let k = 0; // index among the appends
  let h = 0; // index among the written events
  for (let i = 0; i < batch.length; i++) {
    const op = batch[i]!;
    if (op.kind !== 'append') continue;
    const version = actual[k]!;
    if (conflict[k++] === 1) {
      results[i] = { ok: false, reason: 'conflict', expected: op.expected, actual: version };
      continue;
    }
    const appended: StoredEvent[] = new Array(op.events.length);
    for (let j = 0; j < op.events.length; j++) {
      const e = op.events[j]!;
      const hash = hashAt(hashes, h++);
      const stored = new StoredEvent(++position, op.streamId, version + j + 1, e.type, at, e.dataText, e.metaText, prevHash, hash);
      appended[j] = stored;
      events.push(stored);
      prevHash = hash;
    }
    results[i] = { ok: true, firstPosition: appended[0]!.position, lastPosition: position, streamVersion: version + op.events.length, events: appended };
  }
  return { results, events };
}
