// The pipeline's commands and its one pure decider: the same state, the same answer. The step handler reports a
// step's session (stepStarted) and its end (stepEnded); the boot pass interrupts a run no process drives any more;
// clients resume an interrupted run and delete a pipeline.
import type { SnapshotFrom } from 'xstate';
import type { Decision } from '../actors/actor-kind.js';
import type { NewEvent } from '../store/types.js';
import { canEndStep, canStartStep, firstUnfinished, runningStep, stepsCompleted, type pipelineMachine } from './pipeline-machine.js';

export interface StepOutcome {
  step: number;
  session_id: string | null;
  status: 'completed' | 'failed' | 'cancelled';
  outcome: string | null;
  stop_reason: string | null;
  text: string;
  usage: unknown;
  duration_ms: number;
  error: { code: string; message: string } | null;
}

export type PipelineCommand =
  | { type: 'stepStarted'; step: number; agent: string; session_id: string; prompt: string }
  | { type: 'stepEnded'; result: StepOutcome }
  | { type: 'interrupt'; reason: string }
  | { type: 'resume' }
  | { type: 'delete' };

type PipelineState = SnapshotFrom<typeof pipelineMachine>;

export function decidePipeline(command: PipelineCommand, state: PipelineState): Decision {
  const ctx = state.context;
  const id = ctx.id;
  switch (command.type) {
    case 'stepStarted':
      if (state.value !== 'running' || !canStartStep(ctx, command.step)) return { reject: 'pipeline_not_running', message: `pipeline '${id}' is not waiting for step ${command.step}` };
      return [{ type: 'StepStarted', data: { step: command.step, agent: command.agent, session_id: command.session_id, prompt: command.prompt } }];
    case 'stepEnded': {
      const r = command.result;
      if (!canEndStep(ctx, r.step) || (state.value !== 'running' && state.value !== 'deleted')) {
        return { reject: 'pipeline_not_running', message: `step ${r.step} of pipeline '${id}' is not running` };
      }
      const events: NewEvent[] = [{ type: 'StepEnded', data: { ...r } }];
      if (state.value === 'deleted') return events; // the run was cancelled: only the step's end is history
      const done = stepsCompleted(ctx) + (r.status === 'completed' ? 1 : 0);
      if (r.status !== 'completed') {
        const why = r.error ? `${r.error.code}: ${r.error.message}` : `the step ended ${r.status}`;
        events.push({ type: 'PipelineEnded', data: { final_status: 'failed', steps_completed: done, reason: `step ${r.step} (${ctx.steps[r.step - 1]!.agent}) failed: ${why}` } });
      } else if (r.step === ctx.steps.length) {
        events.push({ type: 'PipelineEnded', data: { final_status: 'completed', steps_completed: done } });
      }
      return events;
    }
    case 'interrupt': {
      if (state.value !== 'running') return [];
      const running = runningStep(ctx);
      const events: NewEvent[] = [];
      if (running !== null) {
        const s = ctx.steps[running - 1]!;
        events.push({
          type: 'StepEnded',
          data: { step: running, session_id: s.session_id, status: 'interrupted', outcome: 'interrupted', stop_reason: null, text: '', usage: null, duration_ms: 0, error: { code: 'interrupted', message: command.reason } },
        });
      }
      const at = running ?? firstUnfinished(ctx) ?? ctx.steps.length;
      events.push({ type: 'PipelineEnded', data: { final_status: 'interrupted', steps_completed: stepsCompleted(ctx), interrupted_step: at, reason: `step ${at} was interrupted: ${command.reason}` } });
      return events;
    }
    case 'resume': {
      if (state.value === 'running') return { reject: 'pipeline_running', message: `pipeline '${id}' is running` };
      if (ctx.deleted) return { reject: 'pipeline_deleted', message: `pipeline '${id}' was deleted` };
      if (ctx.finalStatus !== 'interrupted') return { reject: 'not_resumable', message: `pipeline '${id}' ended ${ctx.finalStatus}: only an interrupted pipeline can be resumed` };
      return [{ type: 'PipelineResumed', data: { from_step: firstUnfinished(ctx) ?? 1 } }];
    }
    case 'delete':
      if (ctx.deleted) return [];
      return [{ type: 'PipelineDeleted', data: { cancelled_step: state.value === 'running' ? runningStep(ctx) : null, run_cancelled: state.value === 'running' } }];
  }
}
