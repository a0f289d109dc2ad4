// The pipeline actor's fold: new → running → ended (resume: → running again) and deleted. Each step is an ordinary
// session; the machine keeps each step's state and result, and emits the effects the service runs after the commit:
// run a step, cancel the running step, remove the workspace the gateway made.
import { assign, emit, setup } from 'xstate';
import type { z } from 'zod';
import type {
  PipelineDeleted,
  PipelineEnded,
  PipelineResumed,
  PipelineStarted,
  StepEnded,
  StepStarted,
  pipelineFinalStatuses,
} from '../events/pipeline-events.js';

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted' | 'skipped';
export type PipelineFinalStatus = (typeof pipelineFinalStatuses)[number];

export interface PipelineStepState {
  agent: string;
  prompt_template: string | null;
  model: string | null;
  status: StepStatus;
  session_id: string | null;
  prompt: string | null;
  outcome: string | null;
  stop_reason: string | null;
  text: string;
  usage: unknown;
  duration_ms: number | null;
  error: { code: string; message: string } | null;
}

export interface PipelineContext {
  id: string;
  input: string;
  workspace: string;
  workspaceOwned: boolean;
  steps: PipelineStepState[];
  finalStatus: PipelineFinalStatus | null;
  interruptedStep: number | null;
  reason: string | null;
  deleted: boolean;
  /** commit times (ms) */
  createdAt: number;
  endedAt: number | null;
}

type Folded<T extends z.ZodType> = z.infer<T> & { $at?: number };


export type PipelineEvent =
  | ({ type: 'PipelineStarted' } & Folded<typeof PipelineStarted>)
  | ({ type: 'StepStarted' } & Folded<typeof StepStarted>)
  | ({ type: 'StepEnded' } & Folded<typeof StepEnded>)
  | ({ type: 'PipelineEnded' } & Folded<typeof PipelineEnded>)
  | ({ type: 'PipelineResumed' } & Folded<typeof PipelineResumed>)
  | ({ type: 'PipelineDeleted' } & Folded<typeof PipelineDeleted>);

export type PipelineEffect =
  | { type: 'pipeline.runStep'; step: number }
  | { type: 'pipeline.cancel'; step: number | null; session_id: string | null }
  | { type: 'pipeline.removeWorkspace'; workspace: string };

// ---- the predicates decide and the guards share -----------------------------------------------------------------

/** The first step (1-based) that has not ended successfully, or null when every step completed. */
export function firstUnfinished(ctx: PipelineContext): number | null {
  const i = ctx.steps.findIndex((s) => s.status !== 'completed');
  return i < 0 ? null : i + 1;
}

/** The step (1-based) whose session is running, or null. */
export function runningStep(ctx: PipelineContext): number | null {
  const i = ctx.steps.findIndex((s) => s.status === 'running');
  return i < 0 ? null : i + 1;
}

/** A step may start when it is the first unfinished one and still pending. */
export function canStartStep(ctx: PipelineContext, step: number): boolean {
  return firstUnfinished(ctx) === step && ctx.steps[step - 1]?.status === 'pending';
}

/** A step may end while it is pending (its session could not be created) or running. */
export function canEndStep(ctx: PipelineContext, step: number): boolean {
  const s = ctx.steps[step - 1]?.status;
  return s === 'pending' || s === 'running';
}

export function stepsCompleted(ctx: PipelineContext): number {
  return ctx.steps.filter((s) => s.status === 'completed').length;
}

const setStep = (steps: PipelineStepState[], step: number, patch: Partial<PipelineStepState>) => steps.map((s, i) => (i === step - 1 ? { ...s, ...patch } : s));

type Of<T extends PipelineEvent['type']> = Extract<PipelineEvent, { type: T }>;

const emptyStep = { status: 'pending' as const, session_id: null, prompt: null, outcome: null, stop_reason: null, text: '', usage: null, duration_ms: null, error: null };

export const pipelineMachine = setup({
  types: { context: {} as PipelineContext, events: {} as PipelineEvent, emitted: {} as PipelineEffect },
  guards: {
    canStart: ({ context, event }) => event.type === 'StepStarted' && canStartStep(context, event.step),
    canEnd: ({ context, event }) => event.type === 'StepEnded' && canEndStep(context, event.step),
    /** a completed step that is not the last: the next one runs */
    canEndAndContinue: ({ context, event }) =>
      event.type === 'StepEnded' && canEndStep(context, event.step) && event.status === 'completed' && event.step < context.steps.length,
    resumable: ({ context }) => context.finalStatus === 'interrupted' && !context.deleted,
  },
  actions: {
    start: assign(({ event }) => {
      const e = event as Of<'PipelineStarted'>;
      return {
        id: e.id,
        input: e.input,
        workspace: e.workspace,
        workspaceOwned: e.workspace_owned,
        createdAt: e.$at ?? 0,
        steps: e.steps.map((s) => ({ ...s, ...emptyStep })),
      };
    }),
    startStep: assign({
      steps: ({ context, event }) => {
        const e = event as Of<'StepStarted'>;
        return setStep(context.steps, e.step, { status: 'running', session_id: e.session_id, prompt: e.prompt });
      },
    }),
    endStep: assign({
      steps: ({ context, event }) => {
        const e = event as Of<'StepEnded'>;
        return setStep(context.steps, e.step, {
          status: e.status,
          session_id: e.session_id,
          outcome: e.outcome,
          stop_reason: e.stop_reason,
          text: e.text,
          usage: e.usage ?? null,
          duration_ms: e.duration_ms,
          error: e.error,
        });
      },
    }),
    end: assign(({ context, event }) => {
      const e = event as Of<'PipelineEnded'>;
      return {
        finalStatus: e.final_status,
        interruptedStep: e.interrupted_step ?? null,
        reason: e.reason ?? null,
        endedAt: e.$at ?? null,
        // a failed run skips the steps after the failure; an interrupted one keeps them pending for a resume
        steps: e.final_status === 'interrupted' ? context.steps : skipPending(context.steps),
      };
    }),
    resume: assign(({ context, event }) => {
      const e = event as Of<'PipelineResumed'>;
      return {
        finalStatus: null,
        interruptedStep: null,
        reason: null,
        endedAt: null,
        steps: context.steps.map((s, i) => (i + 1 >= e.from_step ? { ...s, ...emptyStep } : s)),
      };
    }),
    markDeleted: assign(({ context, event }) => ({
      deleted: true,
      finalStatus: context.finalStatus ?? 'cancelled',
      endedAt: context.endedAt ?? (event as Of<'PipelineDeleted'>).$at ?? null,
      steps: context.finalStatus ? context.steps : skipPending(context.steps),
    })),
    runFirst: emit({ type: 'pipeline.runStep' as const, step: 1 }),
    runNext: emit(({ event }) => ({ type: 'pipeline.runStep' as const, step: (event as Of<'StepEnded'>).step + 1 })),
    runFrom: emit(({ event }) => ({ type: 'pipeline.runStep' as const, step: (event as Of<'PipelineResumed'>).from_step })),
    cancelRunning: emit(({ context }) => {
      const step = runningStep(context);
      return { type: 'pipeline.cancel' as const, step, session_id: step ? context.steps[step - 1]!.session_id : null };
    }),
    removeWorkspace: emit(({ context }) => ({ type: 'pipeline.removeWorkspace' as const, workspace: context.workspace })),
  },
}).createMachine({
  id: 'pipeline',
  initial: 'new',
  context: {
    id: '',
    input: '',
    workspace: '',
    workspaceOwned: false,
    steps: [],
    finalStatus: null,
    interruptedStep: null,
    reason: null,
    deleted: false,
    createdAt: 0,
    endedAt: null,
  },
  states: {
    new: { on: { PipelineStarted: { target: 'running', actions: ['start', 'runFirst'] } } },
    running: {
      on: {
        StepStarted: { guard: 'canStart', actions: 'startStep' },
        StepEnded: [
          { guard: 'canEndAndContinue', actions: ['endStep', 'runNext'] },
          // the end of the run is recorded in the same append as the last (or failed) step's end
          { guard: 'canEnd', actions: 'endStep' },
        ],
        PipelineEnded: { target: 'ended', actions: 'end' },
        PipelineDeleted: { target: 'deleted', actions: ['cancelRunning', 'markDeleted', 'removeWorkspace'] },
      },
    },
    ended: {
      on: {
        PipelineResumed: { guard: 'resumable', target: 'running', actions: ['resume', 'runFrom'] },
        PipelineDeleted: { target: 'deleted', actions: ['markDeleted', 'removeWorkspace'] },
      },
    },
    // the step the delete cancelled still records how it ended (history)
    deleted: { on: { StepEnded: { guard: 'canEnd', actions: 'endStep' } } },
  },
});

function skipPending(steps: PipelineStepState[]): PipelineStepState[] {
  return steps.map((s) => (s.status === 'pending' ? { ...s, status: 'skipped' as const } : s));
}

export const pipelineFoldedTypes: ReadonlySet<string> = new Set(['PipelineStarted', 'StepStarted', 'StepEnded', 'PipelineEnded', 'PipelineResumed', 'PipelineDeleted']);
