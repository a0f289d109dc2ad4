// What `GET /api/v1/audit/verify` answers and `aintegrix audit verify` prints (anchored-verify.ts builds it).
import type { EventStore, VerifyResult } from '../store/types.js';

/** What audit needs from a log: the live EventStore and the offline read-only log (readonly-log.ts) both have it. */
export type AuditSource = Pick<EventStore, 'verifyChain' | 'iterate'>;

export interface VerifyReport {
  ok: boolean;
  /** events whose hash was checked and found intact (all of them when ok; the positions before the first bad one) */
  checked: number;
  /**
   * the first position that does not verify: a changed, missing or out-of-order event; for a checkpoint problem the
   * first position that no valid checkpoint vouches for, or the position after the head when events were cut off
   */
  first_bad_position?: number;
  reason?: string;
  /** the signed checkpoint a failure is about */
  checkpoint_seq?: number;
  /** when ok: the head verified, `POSITION:HASH`, the form `--expect-head` / `?expect_head=` take later */
  head?: string;
  /** when the chain verified: the signed checkpoints found and how they were checked */
  checkpoints?: {
    /** checkpoints in the database */
    count: number;
    /** position the newest of them signs (null when there is none) */
    last_position: number | null;
    /** checkpoints read from the sink (only when a sink was checked) */
    sink?: number;
    /** verified: MACs checked with the key; unchecked: no key given (positions and hashes still compared) */
    mac: 'verified' | 'unchecked';
  };
}

/** The chain-only report of a VerifyResult (the store's own check, without checkpoints). */
export function verifyReport(r: VerifyResult): VerifyReport {
  return r.ok
    ? { ok: true, checked: r.checked }
    : { ok: false, checked: r.checked, first_bad_position: r.firstBadPosition, reason: r.reason };
}
