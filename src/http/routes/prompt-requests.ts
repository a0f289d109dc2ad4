// Shared by the prompt routes (REST and SSE): the prompt body, its submission with the command metadata of the
// request, and the reply for a finished turn.
import type { RequestContext } from '../request-context.js';
import type { Reply } from '../router.js';
import { parseWith } from '../validation.js';
import type { GatewayServices } from '../services.js';
import type { EventMeta } from '../../store/types.js';
import type { TurnResult } from '../../sessions/turn-ledger.js';
import type { SubmittedTurn } from '../../sessions/session-service.js';
import { promptBodySchema } from '../schemas/requests.js';

export { promptBodySchema };

/** The request's JSON body, within the configured size cap. */
export function readBody(gw: GatewayServices, ctx: RequestContext): Promise<unknown> {
  return ctx.readJson(gw.config.limits.max_body_bytes);
}

/** Read and check a prompt body and submit it (shaped for the session's agent; 409 when the session is busy). */
export async function submitPrompt(gw: GatewayServices, ctx: RequestContext, id: string): Promise<SubmittedTurn> {
  const input = parseWith(promptBodySchema, await readBody(gw, ctx));
  return gw.sessions.prompt(id, input.messages, input.embedded_context, commandMeta(ctx));
}

/**
 * Who did it (and the scopes the token held), from where, in which request: recorded on every command event (never
 * the token itself).
 */
export function commandMeta(ctx: RequestContext): EventMeta {
  return {
    principal: ctx.principal?.name,
    scopes: ctx.principal?.scopes,
    request_id: ctx.requestId,
    ...(ctx.clientRequestId !== undefined ? { client_request_id: ctx.clientRequestId } : {}),
    client: ctx.client,
  };
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
  // a running turn that went over a budget was cancelled (the refusal of a new prompt is the same code)
  budget_exceeded: 429,
};

/** The error statuses of a turn that failed (for the routes' documents): status → codes. */
export const TURN_ERRORS: Record<number, string> = {};
for (const [code, status] of Object.entries(ERROR_STATUS)) TURN_ERRORS[status] = TURN_ERRORS[status] ? `${TURN_ERRORS[status]} / ${code}` : `the turn failed: ${code}`;
TURN_ERRORS[502] = 'the turn failed with another agent error';

/** 200 with the real stop reason and the agent's text; a turn that failed is an error with the same details. */
export function turnReply(r: TurnResult): Reply {
  const body = { stop_reason: r.stop_reason, text: r.text, usage: r.usage ?? null, position: r.position, turn: r.turn, outcome: r.outcome };
  if (!r.error || (r.outcome === 'cancelled' && r.stop_reason === 'cancelled')) return { status: 200, json: body };
  return {
    status: ERROR_STATUS[r.error.code] ?? 502,
    json: { error: { code: r.error.code, message: r.error.message, details: body } },
  };
}
