// Token scopes: what a token may do, checked at every surface (REST and SSE routes, WebSocket upgrade and messages,
// MCP tools; the ACP server later). Which operation needs which scope is one table, OPERATION_SCOPES, so that every
// surface (and the README's table) says the same thing:
//   read    = see: lists, session details, event logs and their streams, pending approvals, the audit log, agents
//   prompt  = drive sessions: create, prompt, cancel, change the model, close
//   approve = decide approvals (what an agent may do on the host)
//   admin   = everything above, plus /metrics when it is not public
// A token without explicit scopes holds all four (configs written before scopes existed keep working).
import { SCOPES, type Scope } from '../config/schema.js';
import { HttpError } from './errors.js';

export { SCOPES, type Scope };

/** The operations of the API, each with the one scope it needs. */
export const OPERATION_SCOPES = {
  list_agents: 'read',
  read_agent_status: 'read',
  list_sessions: 'read',
  read_session: 'read',
  /** a session's log: JSON pages, the SSE events stream, the WebSocket subscription */
  read_events: 'read',
  list_approvals: 'read',
  verify_audit: 'read',
  export_audit: 'read',
  read_usage: 'read',
  list_reviews: 'read',
  read_review: 'read',
  create_session: 'prompt',
  /** a prompt, blocking or streamed (SSE, WebSocket, MCP) */
  prompt: 'prompt',
  cancel_turn: 'prompt',
  set_model: 'prompt',
  close_session: 'prompt',
  fork_session: 'prompt',
  /** start an orchestration, resume one a restart interrupted, or delete one */
  orchestrate: 'prompt',
  /** list orchestrations, read one, its events */
  read_orchestrations: 'read',
  run_pipeline: 'prompt',
  /** list and read pipelines, their events */
  read_pipelines: 'read',
  decide_approval: 'approve',
  read_metrics: 'admin',
} as const satisfies Record<string, Scope>;

export type Operation = keyof typeof OPERATION_SCOPES;

/** The scope `operation` needs. */
export function scopeFor(operation: Operation): Scope {
  return OPERATION_SCOPES[operation];
}

/** Does a principal holding `held` have `needed`? `admin` implies every scope. */
export function holdsScope(held: readonly Scope[], needed: Scope): boolean {
  return held.includes(needed) || held.includes('admin');
}

/** The message every surface gives a refused call: it names the scope needed, never what the token holds. */
export function insufficientScopeMessage(needed: Scope): string {
  return `insufficient scope: needs '${needed}'`;
}

/**
 * 403 for a request whose token lacks `needed` (RFC 6750 §3.1: the `insufficient_scope` error, with the scope in
 * `WWW-Authenticate`), or undefined when the token holds it.
 */
export function scopeRefusal(held: readonly Scope[], needed: Scope): HttpError | undefined {
  if (holdsScope(held, needed)) return undefined;
  return new HttpError(403, 'insufficient_scope', insufficientScopeMessage(needed), {
    'www-authenticate': `Bearer error="insufficient_scope", scope="${needed}"`,
  }, { scope: needed });
}
