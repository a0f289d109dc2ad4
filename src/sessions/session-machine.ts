// The session actor: which state a session is in, folded from its stream. Effects (prompting the agent, cancelling,
// answering a permission request, closing, switching the model) are a typed union the machine emits; the session
// kind's named handlers (session-effects.ts) run them, only for live events, after the event is committed.
// Everything here must stay deterministic: replay folds the same events through `transition()`. The guards use the
// predicates decideSession uses (session-rules.ts).
import { assign, emit, setup } from 'xstate';
import type { z } from 'zod';
import type * as E from '../events/session-events.js';
import type { TimerClearEffect, TimerSetEffect } from '../actors/actor-kind.js';
import { chooseOption } from '../permissions/options.js';
import { initialContext, type SessionContext } from './session-context.js';
import { canCancelTurn, isCurrentTurn, isNextTurn, isPendingApproval } from './session-rules.js';

export { initialContext, sessionStatus, type PendingApproval, type SessionContext, type SessionStatus } from './session-context.js';

type Ev<T extends string, S extends z.ZodType> = { type: T } & z.output<S> & { $at?: number; $pos?: number };

export type SessionMachineEvent =
  | Ev<'SessionCreated', typeof E.SessionCreated>
  | Ev<'AgentAttached', typeof E.AgentAttached>
  | Ev<'AgentAttachFailed', typeof E.AgentAttachFailed>
  | Ev<'AgentDetached', typeof E.AgentDetached>
  | Ev<'ModelChanged', typeof E.ModelChanged>
  | Ev<'ModelChangeRequested', typeof E.ModelChangeRequested>
  | Ev<'PromptSubmitted', typeof E.PromptSubmitted>
  | Ev<'PermissionRequested', typeof E.PermissionRequested>
  | Ev<'PermissionDecided', typeof E.PermissionDecided>
  | Ev<'TurnCancelRequested', typeof E.TurnCancelRequested>
  | Ev<'TurnEnded', typeof E.TurnEnded>
  | Ev<'SessionClosed', typeof E.SessionClosed>
  | Ev<'SessionFailed', typeof E.SessionFailed>
  | Ev<'SessionRecovered', typeof E.SessionRecovered>;

type Of<T extends SessionMachineEvent['type']> = Extract<SessionMachineEvent, { type: T }>;

/** What the session asks of the outside world (handlers: session-effects.ts), plus the runtime's durable timers. */
export type SessionEffect =
  | { type: 'effect.prompt'; turn: number; prompt: z.output<typeof E.PromptSubmitted>['prompt'] }
  | { type: 'effect.cancel'; turn: number; reason: z.output<typeof E.TurnCancelRequested>['reason']; budget: string | undefined }
  | { type: 'effect.answerPermission'; approval_id: string; decision: z.output<typeof E.PermissionDecided>['decision']; option_id: string | null }
  | { type: 'effect.close'; reason: string }
  /** switch the agent to `model`, asked for by the ModelChangeRequested at position `request` */
  | { type: 'effect.changeModel'; model: string; request: number }
  | TimerSetEffect
  | TimerClearEffect;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionMachineEvent,
    emitted: {} as SessionEffect,
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
        type: 'timer.set' as const,
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
      return { type: 'effect.answerPermission' as const, approval_id: e.approval_id, decision: e.decision, option_id: e.option_id };
    }),
    clearApprovalDeadline: emit(({ event }) => ({
      type: 'timer.clear' as const,
      timerId: `approval:${(event as Of<'PermissionDecided'>).approval_id}`,
    })),
    startTurn: assign(({ event }) => {
      const e = event as Of<'PromptSubmitted'>;
      return { turns: e.turn, turn: { n: e.turn, startedAt: e.$at ?? null, position: e.$pos ?? null, cancelRequested: false } };
    }),
    runPrompt: emit(({ event }) => {
      const e = event as Of<'PromptSubmitted'>;
      return { type: 'effect.prompt' as const, turn: e.turn, prompt: e.prompt };
    }),
    requestCancel: assign({
      turn: ({ context, event }) => {
        const e = event as Of<'TurnCancelRequested'>;
        return context.turn ? { ...context.turn, cancelRequested: true, cancelReason: e.reason, cancelBudget: e.budget ?? null } : null;
      },
    }),
    runCancel: emit(({ event }) => {
      const e = event as Of<'TurnCancelRequested'>;
      return { type: 'effect.cancel' as const, turn: e.turn, reason: e.reason, budget: e.budget };
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
    requestModel: emit(({ event }) => ({ type: 'effect.changeModel' as const, model: (event as Of<'ModelChangeRequested'>).model, request: event.$pos ?? 0 })),
    close: assign({ closeReason: ({ event }) => (event as Of<'SessionClosed'>).reason, attached: false }),
    fail: assign(({ event }) => {
      const e = event as Of<'SessionFailed'>;
      return { lastError: { code: e.code, message: e.message }, attached: false };
    }),
    runClose: emit(({ event }) => ({ type: 'effect.close' as const, reason: event.type === 'SessionClosed' ? event.reason : 'failed' })),
    recover: assign(({ context }) => ({ recoveries: context.recoveries + 1, approvals: {}, turn: null })),
  },
  guards: {
    isNextTurn: ({ context, event }) => isNextTurn(context, (event as Of<'PromptSubmitted'>).turn),
    isCurrentTurn: ({ context, event }) => isCurrentTurn(context, (event as Of<'TurnEnded'>).turn),
    canCancel: ({ context, event }) => canCancelTurn(context, (event as Of<'TurnCancelRequested'>).turn),
    isPending: ({ context, event }) => isPendingApproval(context, (event as Of<'PermissionDecided'>).approval_id),
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
            sessionRules: event.permission_rules ?? [],
            mcpServers: event.mcp_servers,
            model: event.model,
            modelRequested: event.model,
            createdAt: event.$at ?? null,
            createdPosition: event.$pos ?? null,
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
        // between turns only (decideSession checks it): the agent is switched after the request is in the log
        ModelChangeRequested: { actions: 'requestModel' },
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

/** Event types the machine folds (the others are recorded only). */
export const sessionFoldedTypes: ReadonlySet<string> = new Set([
  'SessionCreated',
  'AgentAttached',
  'AgentAttachFailed',
  'AgentDetached',
  'ModelChanged',
  'ModelChangeRequested',
  'PromptSubmitted',
  'PermissionRequested',
  'PermissionDecided',
  'TurnCancelRequested',
  'TurnEnded',
  'SessionClosed',
  'SessionFailed',
  'SessionRecovered',
]);
