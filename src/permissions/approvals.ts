// Pure helpers for pending approvals (an `ask` waiting for a human). The broker owns the state and the timers.
import { randomBytes } from 'node:crypto';

/** What an approval left undecided until its deadline becomes (DESIGN.md: "a deadline that defaults to deny"). */
export const EXPIRED_APPROVAL_DECISION = 'deny' as const;

/**
 * A fresh approval id: 'ap_' + 16 random bytes in base64url (128 bits). Unguessable on purpose: whoever knows the id
 * can decide the approval over REST, WS or MCP (given a valid token), so ids must not be enumerable.
 */
export function newApprovalId(): string {
  return `ap_${randomBytes(16).toString('base64url')}`;
}

/** The deadline (epoch ms) of an approval created at `now` (epoch ms or a Date). */
export function deadlineFor(now: number | Date, timeoutSecs: number): number {
  const start = typeof now === 'number' ? now : now.getTime();
  if (!Number.isFinite(start)) throw new RangeError(`invalid approval start time: ${String(now)}`);
  if (!Number.isFinite(timeoutSecs) || timeoutSecs < 0) {
    throw new RangeError(`approval timeout must be a finite number of seconds ≥ 0, got ${timeoutSecs}`);
  }
  return start + Math.round(timeoutSecs * 1000);
}

/** An approval is expired from its deadline on (a decision arriving at the deadline is too late). */
export function isExpired(deadline: number, now: number | Date): boolean {
  return (typeof now === 'number' ? now : now.getTime()) >= deadline;
}

/** Milliseconds left until the deadline, never negative (for setTimeout and for showing to clients). */
export function remainingMs(deadline: number, now: number | Date): number {
  return Math.max(0, deadline - (typeof now === 'number' ? now : now.getTime()));
}
