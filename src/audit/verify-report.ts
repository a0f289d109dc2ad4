// What `GET /api/v1/audit/verify` answers and `aintegrix audit verify` prints, from the store's VerifyResult.
import type { EventStore, VerifyResult } from '../store/types.js';

/** What audit needs from a log: the live EventStore and the offline read-only log (readonly-log.ts) both have it. */
export type AuditSource = Pick<EventStore, 'verifyChain' | 'iterate'>;

export interface VerifyReport {
  ok: boolean;
  /** events whose hash was checked and found intact (all of them when ok) */
  checked: number;
  /** the first position that does not verify (a changed, missing or out-of-order event) */
  first_bad_position?: number;
  reason?: string;
}

export function verifyReport(r: VerifyResult): VerifyReport {
  return r.ok
    ? { ok: true, checked: r.checked }
    : { ok: false, checked: r.checked, first_bad_position: r.firstBadPosition, reason: r.reason };
}

/** Walk the whole chain now (it reads the database, never a cached result). */
export function verifyLog(source: AuditSource): VerifyReport {
  return verifyReport(source.verifyChain());
}
