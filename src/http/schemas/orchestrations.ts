// The JSON of the orchestration routes (src/orchestrations/orchestration-view.ts).
import { z } from 'zod';
import { Verdict, judgeModes, orchestrationStrategies } from '../../events/orchestration-events.js';

const verdict = Verdict.meta({ id: 'Verdict' });
const status = z.enum(['running', 'judging', 'completed', 'failed', 'interrupted', 'deleted']);

export const orchestrationSchema = z
  .object({
    id: z.string(),
    strategy: z.enum(orchestrationStrategies),
    status,
    duration_ms: z.number().nullable(),
    results: z.array(
      z.object({
        label: z.string(),
        agent: z.string(),
        session_id: z.string().nullable(),
        /** running, completed, failed, cancelled, interrupted, ... */
        status: z.string(),
        stop_reason: z.string().nullable(),
        text: z.string(),
        usage: z.unknown(),
        duration_ms: z.number().nullable(),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
        diff_stat: z.unknown().optional(),
        diff: z.string().optional(),
        diff_truncated: z.boolean().optional(),
        worktree: z.string().optional(),
        earlier_sessions: z.array(z.string()).optional(),
      }),
    ),
    winner: z.object({ label: z.string(), agent: z.string(), session_id: z.string().nullable() }).optional(),
    verdict: verdict.optional(),
    judge: z.string().nullable().optional(),
    judge_mode: z.enum(judgeModes).nullable().optional(),
    matches: z
      .array(z.object({ match: z.number().int(), round: z.number().int(), labels: z.array(z.string()), judge_sessions: z.array(z.string()), attempts: z.unknown(), verdict: z.unknown() }))
      .optional(),
    reason: z.string().optional(),
  })
  .meta({ id: 'Orchestration' });

export const orchestrationSummarySchema = z
  .object({
    id: z.string(),
    strategy: z.enum(orchestrationStrategies),
    status,
    candidates: z.array(z.object({ label: z.string(), agent: z.string(), session_id: z.string().nullable(), status: z.string() })),
    winner: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'OrchestrationSummary' });

export const ORCHESTRATION_STREAM =
  'SSE of the run: the orchestration\'s own events and its candidates\' session updates (candidate_update) and judges\' (judge_update), each with its log position as id, ending with the final event';
