// How a pipeline looks to clients (the POST's answer, GET, the MCP tool's structured content), and its SSE stream.
import type { RecordedEvent } from '../store/types.js';
import type { ActorSseFormat } from '../multiagent/actor-sse.js';
import { stepsCompleted, type PipelineContext } from './pipeline-machine.js';

export interface PipelineStepView {
  step: number;
  agent: string;
  model: string | null;
  session_id: string | null;
  status: string;
  stop_reason: string | null;
  text: string;
  usage: unknown;
  duration_ms: number | null;
  error?: { code: string; message: string };
}

export interface PipelineView {
  id: string;
  /** running while it runs, else the final status */
  status: string;
  final_status: string | null;
  steps_completed: number;
  results: PipelineStepView[];
  workspace_root: string;
  created_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  interrupted_step?: number;
  reason?: string;
  deleted?: true;
}

export function pipelineView(ctx: PipelineContext): PipelineView {
  return {
    id: ctx.id,
    status: ctx.finalStatus ?? 'running',
    final_status: ctx.finalStatus,
    steps_completed: stepsCompleted(ctx),
    results: ctx.steps.map((s, i) => ({
      step: i + 1,
      agent: s.agent,
      model: s.model,
      session_id: s.session_id,
      status: s.status,
      stop_reason: s.stop_reason,
      text: s.text,
      usage: s.usage,
      duration_ms: s.duration_ms,
      ...(s.error ? { error: s.error } : {}),
    })),
    workspace_root: ctx.workspace,
    created_at: new Date(ctx.createdAt).toISOString(),
    ended_at: ctx.endedAt === null ? null : new Date(ctx.endedAt).toISOString(),
    duration_ms: ctx.endedAt === null ? null : ctx.endedAt - ctx.createdAt,
    ...(ctx.interruptedStep !== null ? { interrupted_step: ctx.interruptedStep } : {}),
    ...(ctx.reason !== null ? { reason: ctx.reason } : {}),
    ...(ctx.deleted ? { deleted: true as const } : {}),
  };
}

/** The SSE stream of a run: pipeline_started, step_started, step_update (the step's ACP updates), step_complete, pipeline_complete. */
export const pipelineSseFormat: ActorSseFormat = {
  updateEvent: 'step_update',
  linkOf(e) {
    if (e.type !== 'StepStarted') return undefined;
    const d = e.data as { step: number; agent: string; session_id: string };
    return { session_id: d.session_id, label: { step: d.step, agent: d.agent } };
  },
  frame(e: RecordedEvent) {
    const d = e.data as Record<string, unknown>;
    switch (e.type) {
      case 'PipelineStarted':
        return { event: 'pipeline_started', data: { id: d.id, steps: d.steps, workspace_root: d.workspace } };
      case 'PipelineResumed':
        return { event: 'pipeline_resumed', data: { id: e.streamId.slice('pipeline:'.length), from_step: d.from_step } };
      case 'StepStarted':
        return { event: 'step_started', data: { step: d.step, agent: d.agent, session_id: d.session_id } };
      case 'StepEnded':
        return { event: 'step_complete', data: d };
      case 'PipelineEnded':
        return { event: 'pipeline_complete', data: { id: e.streamId.slice('pipeline:'.length), ...d } };
      case 'PipelineDeleted':
        return { event: 'pipeline_complete', data: { id: e.streamId.slice('pipeline:'.length), final_status: 'cancelled', ...d } };
      default:
        return undefined;
    }
  },
  isFinal: (e) => e.type === 'PipelineEnded' || e.type === 'PipelineDeleted',
};
