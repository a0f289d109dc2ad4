// What a session's state holds (the machine's context, folded from its stream) and the status clients see.
import type { z } from 'zod';
import type * as E from '../events/session-events.js';

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
  /** log position of SessionCreated (where a client that follows the session from its start begins) */
  createdPosition: number | null;
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

export const initialContext: SessionContext = {
  id: '',
  agent: '',
  workspace: '',
  workspaceOwned: false,
  origin: 'rest',
  forkedFrom: null,
  mcpServers: [],
  createdAt: null,
  createdPosition: null,
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
