// The session actor: which state a session is in, folded from its stream. Effects (prompting the agent, cancelling,
// answering a permission request, closing) are emitted, and run by the session controller only for live events.
// Everything here must stay deterministic: replay folds the same events through `transition()`.
import { assign, emit, setup } from 'xstate';
import type { z } from 'zod';
import type * as E from '../events/session-events.js';
import { chooseOption } from '../permissions/options.js';

type Ev<T extends string, S extends z.ZodType> = { type: T } & z.output<S> & { $at?: number; $pos?: number };

export type SessionMachineEvent =
  | Ev<'SessionCreated', typeof E.SessionCreated>
  | Ev<'AgentAttached', typeof E.AgentAttached>
  | Ev<'AgentAttachFailed', typeof E.AgentAttachFailed>
  | Ev<'AgentDetached', typeof E.AgentDetached>
  | Ev<'ModelChanged', typeof E.ModelChanged>
  | Ev<'PromptSubmitted', typeof E.PromptSubmitted>
  | Ev<'PermissionRequested', typeof E.PermissionRequested>
  | Ev<'PermissionDecided', typeof E.PermissionDecided>
  | Ev<'TurnCancelRequested', typeof E.TurnCancelRequested>
  | Ev<'TurnEnded', typeof E.TurnEnded>
  | Ev<'SessionClosed', typeof E.SessionClosed>
  | Ev<'SessionFailed', typeof E.SessionFailed>
  | Ev<'SessionRecovered', typeof E.SessionRecovered>;

export interface PendingApproval {
  approval_id: string;
  turn: number | null;
  method: string;
  tool_call: unknown;
  options: { optionId: string; name?: string; kind: string }[];
  deadline: number | null;
  requested_at: number | null;
  /** the touched paths with symlinks resolved (absent in events recorded before they were) */
  real_paths?: string[];
}

export interface SessionContext {
  id: string;
  agent: string;
  workspace: string;
  workspaceOwned: boolean;
  origin: string;
  /** a forked session: where its conversation comes from (SessionCreated.forked_from) */
  forkedFrom: z.output<typeof E.ForkOrigin> | null;
  mcpServers: unknown[];
  createdAt: number | null;
  /** the model the agent runs (as it reported, or as applied) */
  model: string | null;
  /** the model a client asked for (at creation or by a change): re-applied when a new process attaches */
  modelRequested: string | null;
  /** false when the requested model was accepted but not applied (an agent without model selection) */
  modelApplied: boolean | null;
  attached: boolean;
  process: string | null;
  acpSessionId: string | null;
  attachPath: string | null;
  attachCount: number;
  capabilities: unknown;
  agentInfo: unknown;
  models: unknown;
  configOptions: unknown;
  turns: number;
  turn: {
    n: number;
    startedAt: number | null;
    position: number | null;
    cancelRequested: boolean;
    /** TurnCancelRequested's reason and budget (absent in snapshots taken before they were folded) */
    cancelReason?: string | null;
    cancelBudget?: string | null;
  } | null;
  lastTurn: {
    n: number;
    outcome: string;
    stopReason: string | null;
    error: { code: string; message: string } | null;
    endedAt: number | null;
    position: number | null;
    /** tool calls that never reported an outcome (outcome unknown) */
    unknownToolCalls: string[];
  } | null;
  approvals: Record<string, PendingApproval>;
  sessionRules: unknown[];
  lastError: { code: string; message: string } | null;
  closeReason: string | null;
  recoveries: number;
}

const initialContext: SessionContext = {
  id: '',
  agent: '',
  workspace: '',
  workspaceOwned: false,
  origin: 'rest',
  forkedFrom: null,
  mcpServers: [],
  createdAt: null,
  model: null,
  modelRequested: null,
  modelApplied: null,
  attached: false,
  process: null,
  acpSessionId: null,
  attachPath: null,
  attachCount: 0,
  capabilities: null,
  agentInfo: null,
  models: null,
  configOptions: null,
  turns: 0,
  turn: null,
  lastTurn: null,
  approvals: {},
  sessionRules: [],
  lastError: null,
  closeReason: null,
  recoveries: 0,
};

type Of<T extends SessionMachineEvent['type']> = Extract<SessionMachineEvent, { type: T }>;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionMachineEvent,
    emitted: {} as { type: string } & Record<string, unknown>,
  },
  actions: {
    attach: assign(({ context, event }) => {
      const e = event as Of<'AgentAttached'>;
      return {
        attached: true,
        process: e.process,
        acpSessionId: e.acp_session_id,
        attachPath: e.path,
        attachCount: context.attachCount + 1,
        capabilities: e.agent_capabilities,
        agentInfo: e.agent_info,
        models: e.models ?? null,
        configOptions: e.config_options ?? null,
        model: e.model ?? context.model,
        modelApplied: e.model_applied ?? (context.modelRequested === null ? null : true),
        lastError: null,
      };
    }),
    attachFailed: assign(({ event }) => {
      const e = event as Of<'AgentAttachFailed'>;
      return { attached: false, lastError: { code: e.code, message: e.message } };
    }),
    // a late report about an older process (restarted after a timeout) must not detach the current one
    detach: assign({
      attached: ({ context, event }) => {
        const p = (event as Of<'AgentDetached'>).process;
        return p !== undefined && p !== context.process ? context.attached : false;
      },
    }),
    changeModel: assign(({ event }) => {
      const m = (event as Of<'ModelChanged'>).model;
      return { model: m, modelRequested: m, modelApplied: true };
    }),
    askPermission: assign({
      approvals: ({ context, event }) => {
        const e = event as Of<'PermissionRequested'>;
        return {
          ...context.approvals,
          [e.approval_id]: {
            approval_id: e.approval_id,
            turn: e.turn,
            method: e.method,
            tool_call: e.tool_call,
            options: e.options,
            deadline: e.deadline,
            requested_at: e.$at ?? null,
            ...(e.real_paths !== undefined ? { real_paths: e.real_paths } : {}),
          },
        };
      },
    }),
    // the deadline answers reject, with one of the reject options the agent offered (or `cancelled` if none)
    armApprovalDeadline: emit(({ event }) => {
      const e = event as Of<'PermissionRequested'>;
      const chosen = chooseOption(e.options, 'reject_once');
      return {
        type: 'timer.set',
        timerId: `approval:${e.approval_id}`,
        dueAt: e.deadline ?? 0,
        event: {
          type: 'PermissionDecided',
          approval_id: e.approval_id,
          decision: 'reject_once',
          option_id: chosen.outcome === 'selected' ? chosen.optionId : null,
          decided_by: 'deadline',
          reason: 'approval deadline passed',
        },
      };
    }),
    decidePermission: assign(({ context, event }) => {
      const e = event as Of<'PermissionDecided'>;
      const { [e.approval_id]: _decided, ...rest } = context.approvals;
      return { approvals: rest, sessionRules: e.rule ? [...context.sessionRules, e.rule] : context.sessionRules };
    }),
    answerPermission: emit(({ event }) => {
      const e = event as Of<'PermissionDecided'>;
      return { type: 'effect.answerPermission', approval_id: e.approval_id, decision: e.decision, option_id: e.option_id };
    }),
    clearApprovalDeadline: emit(({ event }) => ({
      type: 'timer.clear',
      timerId: `approval:${(event as Of<'PermissionDecided'>).approval_id}`,
    })),
    startTurn: assign(({ event }) => {
      const e = event as Of<'PromptSubmitted'>;
      return { turns: e.turn, turn: { n: e.turn, startedAt: e.$at ?? null, position: e.$pos ?? null, cancelRequested: false } };
    }),
    runPrompt: emit(({ event }) => {
      const e = event as Of<'PromptSubmitted'>;
      return { type: 'effect.prompt', turn: e.turn, prompt: e.prompt };
    }),
    requestCancel: assign({
      turn: ({ context, event }) => {
        const e = event as Of<'TurnCancelRequested'>;
        return context.turn ? { ...context.turn, cancelRequested: true, cancelReason: e.reason, cancelBudget: e.budget ?? null } : null;
      },
    }),
    runCancel: emit(({ event }) => {
      const e = event as Of<'TurnCancelRequested'>;
      return { type: 'effect.cancel', turn: e.turn, reason: e.reason, budget: e.budget };
    }),
    endTurn: assign(({ event }) => {
      const e = event as Of<'TurnEnded'>;
      return {
        turn: null,
        lastTurn: {
          n: e.turn,
          outcome: e.outcome,
          stopReason: e.stop_reason,
          error: e.error,
          endedAt: e.$at ?? null,
          position: e.$pos ?? null,
          unknownToolCalls: e.unknown_tool_calls ?? [],
        },
        lastError: e.error,
      };
    }),
    close: assign({ closeReason: ({ event }) => (event as Of<'SessionClosed'>).reason, attached: false }),
    fail: assign(({ event }) => {
      const e = event as Of<'SessionFailed'>;
      return { lastError: { code: e.code, message: e.message }, attached: false };
    }),
    runClose: emit(({ event }) => ({ type: 'effect.close', reason: event.type === 'SessionClosed' ? event.reason : 'failed' })),
    recover: assign(({ context }) => ({ recoveries: context.recoveries + 1, approvals: {}, turn: null })),
  },
  guards: {
    isNextTurn: ({ context, event }) => (event as Of<'PromptSubmitted'>).turn === context.turns + 1,
    isCurrentTurn: ({ context, event }) => context.turn !== null && (event as { turn: number }).turn === context.turn.n,
    canCancel: ({ context, event }) =>
      context.turn !== null && !context.turn.cancelRequested && (event as Of<'TurnCancelRequested'>).turn === context.turn.n,
    isPending: ({ context, event }) => (event as Of<'PermissionDecided'>).approval_id in context.approvals,
    hasDeadline: ({ event }) => (event as Of<'PermissionRequested'>).deadline !== null,
  },
}).createMachine({
  id: 'session',
  initial: 'new',
  context: initialContext,
  on: {
    PermissionRequested: [
      { guard: 'hasDeadline', actions: ['askPermission', 'armApprovalDeadline'] },
      { actions: 'askPermission' },
    ],
    PermissionDecided: { guard: 'isPending', actions: ['decidePermission', 'clearApprovalDeadline', 'answerPermission'] },
    AgentAttached: { actions: 'attach' },
    AgentAttachFailed: { actions: 'attachFailed' },
    AgentDetached: { actions: 'detach' },
    ModelChanged: { actions: 'changeModel' },
    SessionClosed: { target: '.closed', actions: ['close', 'runClose'] },
    SessionFailed: { target: '.failed', actions: ['fail', 'runClose'] },
  },
  states: {
    new: {
      on: {
        SessionCreated: {
          target: 'starting',
          actions: assign(({ event }) => ({
            id: event.id,
            agent: event.agent,
            workspace: event.workspace,
            workspaceOwned: event.workspace_owned,
            origin: event.origin,
            forkedFrom: event.forked_from ?? null,
            mcpServers: event.mcp_servers,
            model: event.model,
            modelRequested: event.model,
            createdAt: event.$at ?? null,
          })),
        },
      },
    },
    starting: {
      on: {
        AgentAttached: { target: 'idle', actions: 'attach' },
        AgentAttachFailed: { target: 'failed', actions: 'attachFailed' },
      },
    },
    idle: {
      on: {
        PromptSubmitted: { guard: 'isNextTurn', target: 'prompting', actions: ['startTurn', 'runPrompt'] },
        SessionRecovered: { actions: 'recover' },
      },
    },
    prompting: {
      on: {
        TurnCancelRequested: { guard: 'canCancel', actions: ['requestCancel', 'runCancel'] },
        TurnEnded: { guard: 'isCurrentTurn', target: 'idle', actions: 'endTurn' },
        SessionRecovered: { target: 'idle', actions: 'recover' },
      },
    },
    closed: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type SessionStatus = 'starting' | 'idle' | 'prompting' | 'awaiting_permission' | 'closed' | 'failed';

/** The status clients see. */
export function sessionStatus(value: unknown, context: SessionContext): SessionStatus {
  switch (value) {
    case 'new':
    case 'starting':
      return 'starting';
    case 'prompting':
      return Object.keys(context.approvals).length > 0 ? 'awaiting_permission' : 'prompting';
    case 'closed':
      return 'closed';
    case 'failed':
      return 'failed';
    default:
      return 'idle';
  }
}

/** Event types the machine folds (the others are recorded only). */
export const sessionFoldedTypes: ReadonlySet<string> = new Set([
  'SessionCreated',
  'AgentAttached',
  'AgentAttachFailed',
  'AgentDetached',
  'ModelChanged',
  'PromptSubmitted',
  'PermissionRequested',
  'PermissionDecided',
  'TurnCancelRequested',
  'TurnEnded',
  'SessionClosed',
  'SessionFailed',
  'SessionRecovered',
]);
