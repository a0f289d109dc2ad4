// The JSON of the pipeline routes (src/pipelines/pipeline-view.ts): a run with its steps' results, in order.
import { z } from 'zod';

const stepResultSchema = z.looseObject({
  step: z.number().int(),
  agent: z.string(),
  model: z.string().nullable(),
  session_id: z.string().nullable(),
  status: z.string(),
  stop_reason: z.string().nullable(),
  text: z.string(),
  usage: z.unknown(),
  duration_ms: z.number().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const pipelineViewSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  final_status: z.string().nullable(),
  steps_completed: z.number().int(),
  results: z.array(stepResultSchema),
  workspace_root: z.string(),
  created_at: z.string(),
  ended_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  interrupted_step: z.number().int().optional(),
  reason: z.string().optional(),
  deleted: z.literal(true).optional(),
});
