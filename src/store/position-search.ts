// Binary searches that turn "after global position P" and "at or after time T" into index ranges.
// Both rely on monotonic columns: within one stream, position grows with stream_position; along the log, `at`
// never decreases (the writer guarantees it). Each step is one primary-key or unique-index lookup (~µs), so a
// search costs O(log n) lookups instead of scanning a stream's whole index range.
import type { Statements } from './statements.js';

/**
 * Smallest stream position of `streamId` whose global position is > afterPosition (version + 1 when none).
 * Falls back to 1 (no narrowing) if the stream has a hole, which only a damaged log can have.
 */
export function firstStreamPositionAfter(st: Statements, streamId: string, afterPosition: number): number {
  if (afterPosition === 0) return 1;
  const version = st.streamVersion.get(streamId) ?? 0;
  let lo = 1;
  let hi = version + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const position = st.positionOfStreamPosition.get(streamId, mid);
    if (position === undefined) return 1;
    if (position > afterPosition) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Smallest position in 1..head whose `at` satisfies `pred` (pred must be false, then true, along the log);
 * head + 1 when none does. Undefined if a position is missing (a damaged log): the caller then does not narrow.
 */
export function firstPositionWhereAt(st: Statements, head: number, pred: (at: number) => boolean): number | undefined {
  let lo = 1;
  let hi = head + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const at = st.atOfPosition.get(mid);
    if (at === undefined) return undefined;
    if (pred(at)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
