// Events of a pipeline stream (`pipeline:<id>`): the request as accepted (PipelineStarted), each step's session link
// (StepStarted, recorded before the step is prompted, so a restart knows which session was running) and its end
// (StepEnded, the agent's whole answer as its session's log has it), the end of the run (PipelineEnded), a resume
// command (PipelineResumed) and a delete command (PipelineDeleted).
import { z } from 'zod';
import type { EventCatalogue } from './catalogue.js';

export const pipelineFinalStatuses = ['completed', 'failed', 'interrupted', 'cancelled'] as const;
export const stepEndStatuses = ['completed', 'failed', 'cancelled', 'interrupted'] as const;

export const PipelineStepSpec = z.object({
  agent: z.string(),
  prompt_template: z.string().nullable(),
  model: z.string().nullable(),
});

export const PipelineStarted = z.object({
  id: z.string(),
  steps: z.array(PipelineStepSpec).min(1),
  /** the request's text: {{input}} */
  input: z.string(),
  workspace: z.string(),
  /** true when the gateway made the workspace (removed when the pipeline is deleted) */
  workspace_owned: z.boolean(),
});

export const StepStarted = z.object({
  step: z.number().int().positive(),
  agent: z.string(),
  session_id: z.string(),
  /** the prompt as rendered from the step's template */
  prompt: z.string(),
});

export const StepEnded = z.object({
  step: z.number().int().positive(),
  session_id: z.string().nullable(),
  status: z.enum(stepEndStatuses),
  outcome: z.string().nullable(),
  stop_reason: z.string().nullable(),
  text: z.string(),
  usage: z.unknown(),
  duration_ms: z.number().int().min(0),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const PipelineEnded = z.object({
  final_status: z.enum(pipelineFinalStatuses),
  steps_completed: z.number().int().min(0),
  /** interrupted: the step that was running (or next to run) when the gateway stopped */
  interrupted_step: z.number().int().positive().optional(),
  reason: z.string().optional(),
});

export const PipelineResumed = z.object({
  from_step: z.number().int().positive(),
});

export const PipelineDeleted = z.object({
  /** the step that was running and is cancelled, if any */
  cancelled_step: z.number().int().positive().nullable(),
  /** true when the run was going: it ends `cancelled` */
  run_cancelled: z.boolean(),
});

export function definePipelineEvents(c: EventCatalogue): void {
  c.define('PipelineStarted', PipelineStarted);
  c.define('StepStarted', StepStarted);
  c.define('StepEnded', StepEnded);
  c.define('PipelineEnded', PipelineEnded);
  c.define('PipelineResumed', PipelineResumed);
  c.define('PipelineDeleted', PipelineDeleted);
}
