// Export lines grouped into chunks of about EXPORT_BATCH_BYTES: one write per chunk (a syscall or a uWS write per
// line would dominate the cost), while memory stays at one chunk plus the store's current page.
import type { AuditCheckpoint, RecordedEvent } from '../store/types.js';
import { sinkLine } from './checkpoint-sink.js';
import { exportLine } from './export-line.js';

export const EXPORT_BATCH_BYTES = 64 * 1024;

/**
 * NDJSON text in chunks of whole lines. Lazy: events are read only as chunks are taken, so a consumer that stops
 * (client gone, EPIPE) stops the reading too; `return()` on this generator closes the event iterator.
 */
export function ndjsonBatches(events: Iterable<RecordedEvent>, batchBytes: number = EXPORT_BATCH_BYTES): Generator<string, void, undefined> {
  return lineBatches(events, exportLine, batchBytes);
}

/** Signed checkpoints as NDJSON chunks, in the sink's line format (checkpoint-sink.ts). */
export function checkpointBatches(checkpoints: Iterable<AuditCheckpoint>, batchBytes: number = EXPORT_BATCH_BYTES): Generator<string, void, undefined> {
  return lineBatches(checkpoints, sinkLine, batchBytes);
}

function* lineBatches<T>(items: Iterable<T>, render: (item: T) => string, batchBytes: number): Generator<string, void, undefined> {
  let parts: string[] = [];
  let size = 0;
  for (const item of items) {
    const line = render(item) + '\n';
    parts.push(line);
    size += line.length; // UTF-16 units: the byte count for ASCII, close enough to size a chunk otherwise
    if (size >= batchBytes) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}
