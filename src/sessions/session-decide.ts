// The session's commands and its one pure decider: given the folded state, a command becomes the events to append
// or a domain rejection (src/errors/rejection.ts maps its code at the HTTP, WebSocket and MCP edges). No I/O here:
// what a command needs from outside (the shaped prompt, a budget breach, who decides) comes in the command. The
// machine's guards use the same predicates (session-rules.ts). A session's first events (SessionCreated, ...) are
// written by its creation (session-create.ts), not decided: there is no state to decide them against.
import type { z } from 'zod';
import type { Decider } from '../actors/actor-kind.js';
import type { NewEvent } from '../store/types.js';
import type * as E from '../events/session-events.js';
import { chooseOption, sessionRuleFor, subjectFromClientCall, subjectFromPermissionRequest } from '../permissions/index.js';
import { budgetLabel, type BudgetBreach } from '../usage/budgets.js';
import { modelRefusal } from './agent-models.js';
import type { PendingApproval, SessionContext } from './session-context.js';
import type { sessionMachine } from './session-machine.js';
import { canCancelTurn, isIdle, isOpen } from './session-rules.js';

export type SessionCommand =
  /** a shaped prompt; `overBudget`: the budget it would go over (checked by the caller, recorded as a refusal here) */
  | { type: 'prompt'; prompt: z.output<typeof E.PromptSubmitted>['prompt']; overBudget: BudgetBreach | null }
  | { type: 'cancel'; reason: 'client' | 'mcp' }
  /** a running turn went over a budget: record which, and cancel that turn (only while it still runs) */
  | { type: 'cancelForBudget'; turn: number; breach: BudgetBreach }
  | { type: 'close'; reason: string }
  | { type: 'changeModel'; model: string }
  /** a person's decision on a pending approval (REST, WebSocket, MCP) */
  | { type: 'decidePermission'; approval_id: string; decision: (typeof E.decisions)[number]; decided_by: string; reason?: string }
  | { type: 'fail'; code: string; message: string };

export const decideSession: Decider<typeof sessionMachine, SessionCommand> = (command, state) => {
  const ctx = state.context;
  const closed = { reject: 'session_closed', message: `session '${ctx.id}' is ${String(state.value)}` };
  switch (command.type) {
    case 'prompt': {
      if (!isOpen(state)) return closed;
      if (!isIdle(state)) return { reject: 'session_busy', message: `session '${ctx.id}' is already prompting` };
      // the one budget check of every surface (REST, SSE, POST /stream, WebSocket, MCP); a refusal is recorded
      if (command.overBudget) return [{ type: 'BudgetExceeded', data: { action: 'prompt_refused', turn: null, ...command.overBudget } }];
      return [{ type: 'PromptSubmitted', data: { turn: ctx.turns + 1, prompt: command.prompt } }];
    }
    case 'cancel': {
      if (!isOpen(state)) return closed;
      const turn = ctx.turn;
      if (!turn || !canCancelTurn(ctx, turn.n)) return [];
      return [{ type: 'TurnCancelRequested', data: { turn: turn.n, reason: command.reason } }];
    }
    case 'cancelForBudget': {
      const { turn, breach } = command;
      if (!isOpen(state) || !canCancelTurn(ctx, turn)) return [];
      return [
        { type: 'BudgetExceeded', data: { action: 'turn_cancelled', turn, ...breach } },
        { type: 'TurnCancelRequested', data: { turn, reason: 'budget', budget: budgetLabel(breach.budget) } },
      ];
    }
    case 'close':
      return isOpen(state) ? [{ type: 'SessionClosed', data: { reason: command.reason } }] : [];
    case 'changeModel': {
      if (!isOpen(state)) return closed;
      if (!isIdle(state)) return { reject: 'session_busy', message: `session '${ctx.id}' is prompting; change the model between turns` };
      // checked against what the agent last reported; the attached agent may still refuse (ModelChangeFailed)
      return modelRefusal(ctx, command.model) ?? [{ type: 'ModelChangeRequested', data: { model: command.model } }];
    }
    case 'decidePermission': {
      const pending = ctx.approvals[command.approval_id];
      if (!pending) return { reject: 'approval_already_decided', message: `approval '${command.approval_id}' is no longer pending` };
      return [permissionDecided(ctx, pending, command)];
    }
    case 'fail':
      return isOpen(state) ? [{ type: 'SessionFailed', data: { code: command.code, message: command.message } }] : [];
  }
};

/** Only an option the agent offered is chosen; `allow_always` / `reject_always` also leave a session-scoped rule. */
function permissionDecided(ctx: SessionContext, pending: PendingApproval, c: Extract<SessionCommand, { type: 'decidePermission' }>): NewEvent {
  const chosen = chooseOption(pending.options, c.decision);
  const rule = c.decision === 'allow_always' || c.decision === 'reject_always' ? sessionRuleFor(subjectOf(ctx, pending), c.decision) : undefined;
  return {
    type: 'PermissionDecided',
    data: {
      approval_id: c.approval_id,
      decision: c.decision,
      option_id: chosen.outcome === 'selected' ? chosen.optionId : null,
      decided_by: c.decided_by,
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      ...(rule ? { rule } : {}),
    },
  };
}

/** What the approval is about, as the policy sees it (the rule an `*_always` decision writes is scoped to it). */
function subjectOf(c: SessionContext, a: PendingApproval) {
  if (a.method === 'session/request_permission') {
    return subjectFromPermissionRequest({ agent: c.agent, workspaceRoot: c.workspace, params: { toolCall: a.tool_call, options: a.options } });
  }
  const raw = (a.tool_call as { rawInput?: unknown } | null)?.rawInput;
  return subjectFromClientCall({ agent: c.agent, workspaceRoot: c.workspace, method: a.method, params: raw });
}
