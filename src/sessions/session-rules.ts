// The rules of a session, shared by the machine's guards (what the fold accepts) and by decideSession (what a command
// may append): one predicate each, so that what decide accepts the fold takes, and what the fold would drop decide
// refuses. Pure functions of the folded state.
import type { SessionContext } from './session-context.js';

/** A session that takes commands: not closed, not failed (the machine's final states). */
export function isOpen(state: { status: string }): boolean {
  return state.status === 'active';
}

/** Between turns, attached: a prompt or a model change may start. */
export function isIdle(state: { value: unknown }): boolean {
  return state.value === 'idle';
}

/** `turn` is the next turn of the session (turns are numbered 1, 2, ... without gaps). */
export function isNextTurn(ctx: SessionContext, turn: number): boolean {
  return turn === ctx.turns + 1;
}

/** `turn` is the turn running now. */
export function isCurrentTurn(ctx: SessionContext, turn: number): boolean {
  return ctx.turn !== null && ctx.turn.n === turn;
}

/** `turn` runs and nobody asked to cancel it yet (a turn is cancelled once, for the first reason given). */
export function canCancelTurn(ctx: SessionContext, turn: number): boolean {
  return isCurrentTurn(ctx, turn) && !ctx.turn!.cancelRequested;
}

/** The approval still waits for a decision. */
export function isPendingApproval(ctx: SessionContext, approvalId: string): boolean {
  return approvalId in ctx.approvals;
}
