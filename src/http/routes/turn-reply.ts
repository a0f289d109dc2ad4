// Shared by the prompt routes: the command metadata of a request, and the reply for a finished turn.
import type { RequestContext } from '../request-context.js';
import type { Reply } from '../router.js';
import type { EventMeta } from '../../store/types.js';
import type { TurnResult } from '../../sessions/turn-ledger.js';

/** Who did it, from where, in which request: recorded on every command event (never the token itself). */
export function commandMeta(ctx: RequestContext): EventMeta {
  return { principal: ctx.principal?.name, request_id: ctx.requestId, client: ctx.client };
}

const ERROR_STATUS: Record<string, number> = {
  prompt_timeout: 504,
  session_closed: 409,
  agent_failed: 503,
  unknown_model: 400,
  model_not_supported: 400,
  spawn_failed: 500,
  initialize_timeout: 504,
  session_timeout: 504,
};

/** 200 with the real stop reason and the agent's text; a turn that failed is an error with the same details. */
export function turnReply(r: TurnResult): Reply {
  const body = { stop_reason: r.stop_reason, text: r.text, usage: r.usage ?? null, position: r.position, turn: r.turn, outcome: r.outcome };
  if (!r.error || (r.outcome === 'cancelled' && r.stop_reason === 'cancelled')) return { status: 200, json: body };
  return {
    status: ERROR_STATUS[r.error.code] ?? 502,
    json: { error: { code: r.error.code, message: r.error.message, details: body } },
  };
}
