// The JSON of sessions (src/sessions/session-view.ts) and of the session routes' answers.
import { z } from 'zod';
import { anyJson, codeMessage, isoTimeOrNull } from './common.js';
import { usageFiguresSchema } from './usage.js';
import { forkMethods, RepoCloned } from '../../events/session-events.js';

export const sessionStatusSchema = z.enum(['starting', 'idle', 'prompting', 'awaiting_permission', 'closed', 'failed']).meta({ id: 'SessionStatus' });

const forkedFrom = z.object({ session_id: z.string(), position: z.number().int() }).nullable();

export const sessionSummarySchema = z
  .object({
    id: z.string(),
    agent: z.string(),
    model: z.string().nullable(),
    status: sessionStatusSchema,
    created_at: isoTimeOrNull,
    turns: z.number().int(),
    /** rest, stream, mcp, fork, ... */
    origin: z.string(),
    forked_from: forkedFrom,
  })
  .meta({ id: 'SessionSummary' });

export const approvalSchema = z
  .object({
    approval_id: z.string(),
    session_id: z.string(),
    agent: z.string(),
    turn: z.number().int().nullable(),
    /** the ACP method that asked (session/request_permission) */
    method: z.string(),
    /** the tool call as the agent described it (title, kind, content with diffs, locations, rawInput) */
    tool_call: anyJson,
    options: z.array(z.object({ optionId: z.string(), name: z.string().optional(), kind: z.string() })),
    requested_at: isoTimeOrNull,
    deadline: isoTimeOrNull,
    /** where the touched paths really lead (symlinks resolved) */
    real_paths: z.array(z.string()).optional(),
  })
  .meta({ id: 'Approval' });

export const sessionDetailSchema = z
  .object({
    ...sessionSummarySchema.shape,
    workspace_root: z.string(),
    model_applied: z.boolean().nullable(),
    capabilities: anyJson,
    agent_info: anyJson,
    acp_session_id: z.string().nullable(),
    attached: z.boolean(),
    attach: z.object({ path: z.string(), count: z.number().int(), process: z.string().nullable() }).nullable(),
    current_turn: z
      .object({ turn: z.number().int(), started_at: isoTimeOrNull, position: z.number().int().nullable(), cancel_requested: z.boolean() })
      .nullable(),
    last_turn: z
      .object({
        turn: z.number().int(),
        outcome: z.string(),
        stop_reason: z.string().nullable(),
        error: codeMessage.nullable(),
        ended_at: isoTimeOrNull,
        position: z.number().int().nullable(),
        tool_calls_outcome_unknown: z.array(z.string()),
      })
      .nullable(),
    pending_approvals: z.array(approvalSchema),
    last_error: codeMessage.nullable(),
    closed_reason: z.string().nullable(),
    recoveries: z.number().int(),
    version: z.number().int(),
    usage: usageFiguresSchema,
  })
  .meta({ id: 'SessionDetail' });

/** what a create adds about the session's origin (src/sessions/session-origin-view.ts) */
const originView = {
  repo: RepoCloned.optional(),
  routed: z.object({ rule: z.union([z.number().int(), z.literal('fallback')]), matched: anyJson }).optional(),
};

export const sessionCreatedSchema = z
  .object({
    id: z.string(),
    agent: z.string(),
    model: z.string().nullable(),
    status: sessionStatusSchema,
    /** present when a model was asked for: false = accepted but the agent offers no model selection */
    model_applied: z.boolean().optional(),
    ...originView,
  })
  .meta({ id: 'SessionCreated' });

export const turnResultSchema = z
  .object({
    stop_reason: z.string().nullable(),
    /** the agent's text of the turn */
    text: z.string(),
    usage: anyJson,
    position: z.number().int(),
    turn: z.number().int(),
    outcome: z.string(),
  })
  .meta({ id: 'TurnResult' });

/** POST /sessions/{id}/prompt with `Prefer: respond-async`: the prompt's turn and its PromptSubmitted position. */
export const promptAcceptedSchema = z.object({ turn: z.number().int(), position: z.number().int() }).meta({ id: 'PromptAccepted' });

export const cancelResultSchema = z.object({ cancelled: z.boolean(), turn: z.number().int().nullable() }).meta({ id: 'CancelResult' });

export const forkResultSchema = z
  .object({
    id: z.string(),
    agent: z.string(),
    forked_from: z.object({ session_id: z.string(), position: z.number().int() }),
    method: z.enum(forkMethods),
    status: z.string(),
  })
  .meta({ id: 'ForkResult' });

export const modelChangedSchema = z.object({ status: z.literal('ok'), model: z.string(), via: z.string() }).meta({ id: 'ModelChanged' });
