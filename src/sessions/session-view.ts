// The JSON clients see for a session: a projection of the session actor's folded state (which is itself a fold of
// the committed log), so reading it never waits for a running prompt.
import type { SessionActor } from './live-session.js';
import { sessionStatus, type PendingApproval, type SessionContext } from './session-machine.js';

export interface ApprovalView {
  approval_id: string;
  session_id: string;
  agent: string;
  turn: number | null;
  method: string;
  tool_call: unknown;
  options: PendingApproval['options'];
  requested_at: string | null;
  deadline: string | null;
  /** where the touched paths really lead (symlinks resolved): a request for `s/key.txt` may be one for `secrets/key.txt` */
  real_paths?: string[];
}

export function sessionSummary(actor: SessionActor) {
  const snap = actor.snapshot();
  const c = snap.context;
  return {
    id: c.id,
    agent: c.agent,
    model: c.model,
    status: sessionStatus(snap.value, c),
    created_at: iso(c.createdAt),
    turns: c.turns,
    origin: c.origin,
    forked_from: forkedFrom(c),
  };
}

export function sessionDetail(actor: SessionActor) {
  const snap = actor.snapshot();
  const c = snap.context;
  return {
    ...sessionSummary(actor),
    workspace_root: c.workspace,
    model_applied: c.modelApplied,
    capabilities: c.capabilities,
    agent_info: c.agentInfo,
    acp_session_id: c.acpSessionId,
    attached: c.attached,
    attach: c.attachPath ? { path: c.attachPath, count: c.attachCount, process: c.process } : null,
    current_turn: c.turn
      ? { turn: c.turn.n, started_at: iso(c.turn.startedAt), position: c.turn.position, cancel_requested: c.turn.cancelRequested }
      : null,
    last_turn: c.lastTurn
      ? {
          turn: c.lastTurn.n,
          outcome: c.lastTurn.outcome,
          stop_reason: c.lastTurn.stopReason,
          error: c.lastTurn.error,
          ended_at: iso(c.lastTurn.endedAt),
          position: c.lastTurn.position,
          tool_calls_outcome_unknown: c.lastTurn.unknownToolCalls ?? [],
        }
      : null,
    pending_approvals: approvalViews(c),
    last_error: c.lastError,
    closed_reason: c.closeReason,
    recoveries: c.recoveries,
    version: actor.version,
  };
}

export function approvalViews(c: SessionContext): ApprovalView[] {
  return Object.values(c.approvals).map((a) => ({
    approval_id: a.approval_id,
    session_id: c.id,
    agent: c.agent,
    turn: a.turn,
    method: a.method,
    tool_call: a.tool_call,
    options: a.options,
    requested_at: iso(a.requested_at),
    deadline: iso(a.deadline),
    ...(a.real_paths !== undefined ? { real_paths: a.real_paths } : {}),
  }));
}

/** a forked session's source and the position of the source's log it was forked at (null for other sessions) */
function forkedFrom(c: SessionContext): { session_id: string; position: number } | null {
  const f = c.forkedFrom;
  return f ? { session_id: f.session_id, position: f.position } : null;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
