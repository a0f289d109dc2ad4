// Domain rejections: a decider or a service refuses a command with a code (`session_busy`, `agent_not_found`, ...).
// Only the edges turn one into their own error: HTTP and WebSocket answer `{"error":{code,message}}` with the status
// below, MCP answers a tool error with the same code. The codes and statuses are part of the API's contract (API.txt).
import { FencedError, StoreFailedError, StoreWriteError } from '../store/errors.js';
import { HttpError } from './http-error.js';
import type { Rejection } from '../actors/actor-kind.js';

export class Rejected extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** e.g. Retry-After of a budget refusal */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  static from(r: Rejection | { reason: string; message?: string; details?: Record<string, unknown> }): Rejected {
    const code = 'reject' in r ? r.reject : r.reason;
    return new Rejected(code, r.message ?? code, r.details);
  }
}

/** The HTTP status of each domain code; a code not listed is a conflict with the resource's state (409). */
export const REJECTION_STATUS: Readonly<Record<string, number>> = {
  invalid_request: 400,
  workspace_not_allowed: 400,
  no_route: 400,
  unknown_placeholder: 400,
  agent_not_found: 404,
  session_not_found: 404,
  approval_not_found: 404,
  orchestration_not_found: 404,
  pipeline_not_found: 404,
  review_not_found: 404,
  session_busy: 409,
  session_closed: 409,
  not_idle: 409,
  model_not_supported: 400,
  unknown_model: 400,
  unsupported_content: 400,
  missing_agent: 400,
  invalid_workspace: 400,
  invalid_position: 400,
  prompt_too_large: 413,
  repo_too_large: 413,
  max_sessions_reached: 429,
  budget_exceeded: 429,
  capacity_exceeded: 429,
  too_many_sessions: 429,
  clone_failed: 502,
  // an agent that could not be attached (sessions/attach-error.ts) or switched to another model
  spawn_failed: 500,
  initialize_failed: 502,
  initialize_timeout: 504,
  session_new_failed: 502,
  session_timeout: 504,
  agent_auth_required: 502,
  agent_exited: 502,
  set_model_failed: 502,
  agent_failed: 503,
  clone_timeout: 504,
  webhooks_disabled: 503,
};

export function rejectionStatus(code: string): number {
  return REJECTION_STATUS[code] ?? 409;
}

/** The HTTP/WS edge: a Rejected becomes the API's error with its status; anything else is left as it is. */
export function rejectionToHttp(error: unknown): unknown {
  // the event store cannot commit (its database unreachable, a commit's outcome unknown): nothing was acknowledged,
  // the client may retry; the gateway itself is fine, so 503 with the store's reason, never a 500
  if (error instanceof StoreWriteError || error instanceof StoreFailedError) {
    return new HttpError(503, 'store_unavailable', `the event log cannot record this now: ${error.message}`, { 'retry-after': '1' });
  }
  // a cluster node whose lease moved while the command ran: the actor's new owner serves a retry
  if (error instanceof FencedError) return new HttpError(503, 'owner_moved', `${error.fence.key} moved to another node while this command ran: retry`, { 'retry-after': '1' });
  if (!(error instanceof Rejected)) return error;
  return new HttpError(rejectionStatus(error.code), error.code, error.message, error.headers, error.details);
}
