// Events of a session stream (`session:<id>`). Commands from clients become the first kind (PromptSubmitted,
// TurnCancelRequested, PermissionDecided by a person, SessionClosed); outcomes of effects the second (AgentAttached,
// TurnEnded, AgentDetached, ...); AcpMessage records the raw protocol traffic of the session's agent process.
import { z } from 'zod';
import { checkedEvent, type CheckedEvent, type EventCatalogue } from './catalogue.js';
import { defineTerminalEvents } from './terminal-events.js';

export { TerminalExited, TerminalReleased, TerminalStarted } from './terminal-events.js';

const json = z.unknown();
const contentBlock = z.looseObject({ type: z.string() });

export const attachPaths = ['new', 'resume', 'load', 'new_with_transcript', 'fork'] as const;
export const forkMethods = ['native', 'transcript'] as const;

/**
 * Where a forked session comes from: the source session and the log position its conversation is taken up to
 * (inclusive), the method planned (native: ACP `session/fork` of the source's ACP session, whose id is kept here so
 * that attaching needs nothing but this event; transcript: a new ACP session primed with the source's log).
 */
export const ForkOrigin = z.object({
  session_id: z.string(),
  position: z.number().int().positive(),
  method: z.enum(forkMethods),
  acp_session_id: z.string().optional(),
});
export const turnOutcomes = ['completed', 'cancelled', 'failed', 'timeout', 'interrupted', 'budget_exceeded'] as const;
export const decisions = ['allow_once', 'allow_always', 'reject_once', 'reject_always'] as const;

export const SessionCreated = z.object({
  id: z.string(),
  agent: z.string(),
  workspace: z.string(),
  /** true when the gateway created the workspace (it removes it when the session closes) */
  workspace_owned: z.boolean().default(false),
  model: z.string().nullable(),
  origin: z.enum(['rest', 'mcp', 'stream', 'ws', 'fork', 'orchestration', 'pipeline', 'webhook', 'acp']),
  forked_from: ForkOrigin.optional(),
  mcp_servers: z.array(json).default([]),
  /** permission rules of this session, decided before the configured ones (a review's read-only policy) */
  permission_rules: z.array(json).optional(),
});

/** A repository cloned into the session's workspace (src/repos): the URL never holds credentials. */
export const RepoCloned = z.object({
  url: z.string(),
  branch: z.string(),
  head: z.string(),
  bytes: z.number().int(),
});

/** auto_route chose the session's agent: the rule (its index in routing.rules, or "fallback") and what matched. */
export const SessionRouted = z.object({
  agent: z.string(),
  rule: z.union([z.number().int(), z.literal('fallback')]),
  matched: z.object({
    keywords: z.array(z.string()).optional(),
    file_patterns: z.array(z.object({ pattern: z.string(), file: z.string() })).optional(),
    task_type: z.string().optional(),
  }),
});

/** What goes before the first prompt (agents.<name>.git_context, context_inject.files): sessions/first-context.ts */
export const ContextPrepared = z.object({
  git: z.string().optional(),
  files: z.array(z.object({ path: z.string(), text: z.string().optional(), error: z.string().optional() })),
});

/** A session opened by a remote ACP client (`/acp`): the cwd it named (a path on its machine), and whether it was used. */
export const RemoteClientCwd = z.object({
  cwd: z.string(),
  used: z.boolean(),
});

export const AgentAttached = z.object({
  /** the agent process stream that serves the session */
  process: z.string(),
  pid: z.number().int(),
  acp_session_id: z.string(),
  path: z.enum(attachPaths),
  protocol_version: z.number().int().nullable(),
  agent_capabilities: json,
  agent_info: json,
  auth_methods: z.array(json).default([]),
  models: json.optional(),
  config_options: json.optional(),
  modes: json.optional(),
  /** the model now active on the agent side, when known */
  model: z.string().nullable().optional(),
  /** path new_with_transcript: what was sent to prime the new ACP session, and whether the agent took it */
  transcript: z.object({ entries: z.number().int(), chars: z.number().int(), ok: z.boolean(), error: z.string().optional() }).optional(),
  /** path load: how many replayed updates were recognised (and not recorded again) */
  replayed_updates: z.number().int().optional(),
  /**
   * false when the client's model was accepted without being applied: the agent offers no model selection and the
   * model is one of its configured `models` (the original only echoed it); `model_note` says so
   */
  model_applied: z.boolean().optional(),
  model_note: z.string().optional(),
});

export const AgentAttachFailed = z.object({
  code: z.string(),
  message: z.string(),
  stderr_tail: z.string().optional(),
});

export const AgentDetached = z.object({
  process: z.string().optional(),
  /** exited: on its own; stopped: by us (close, shutdown); timeout_restart: after a timed-out turn; gateway_restart:
   * the gateway died while it ran (found at the next boot, and stopped if it was still alive) */
  reason: z.enum(['exited', 'stopped', 'timeout_restart', 'gateway_restart']),
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  stderr_tail: z.string(),
});

export const ModelChanged = z.object({
  model: z.string(),
  via: z.enum(['set_model', 'set_config_option', 'default']),
  /** log position of the ModelChangeRequested this applied (absent in events recorded before requests were) */
  request: z.number().int().positive().optional(),
});

/**
 * A client asked for another model (POST /sessions/{id}/model), accepted between turns: recorded before the agent is
 * asked to switch; ModelChanged or ModelChangeFailed (with `request`, this event's position) tells how it went.
 */
export const ModelChangeRequested = z.object({
  model: z.string(),
});

/** The agent could not be attached or refused the switch: the session keeps its model. */
export const ModelChangeFailed = z.object({
  model: z.string(),
  request: z.number().int().positive(),
  error: z.object({ code: z.string(), message: z.string() }),
});

export const PromptSubmitted = z.object({
  turn: z.number().int().positive(),
  prompt: z.array(contentBlock).min(1),
});

export const PermissionRequested = z.object({
  approval_id: z.string(),
  turn: z.number().int().nullable(),
  /** the ACP method that needed the decision: session/request_permission, terminal/create, fs/* */
  method: z.string(),
  tool_call: json,
  options: z.array(z.looseObject({ optionId: z.string(), name: z.string().optional(), kind: z.string() })),
  /** what the policy said: ask means a person decides; allow/deny come with their PermissionDecided */
  policy: z.enum(['allow', 'deny', 'ask']),
  policy_source: z.string(),
  deadline: z.number().int().nullable(),
  /** the touched paths with symlinks resolved, as the policy saw them (what an approver should look at) */
  real_paths: z.array(z.string()).optional(),
  /** the permissions.protected_paths glob that denied a write (policy_source protected_path) */
  protected_path: z.string().optional(),
});

export const PermissionDecided = z.object({
  approval_id: z.string(),
  /** expired: still pending when the gateway stopped; nobody can answer the agent that asked any more */
  decision: z.enum([...decisions, 'cancelled', 'expired']),
  /** the option chosen among those the agent offered; null = answered `cancelled` */
  option_id: z.string().nullable(),
  /** token name of a person, or policy | session_rule | deadline | cancel | recovery */
  decided_by: z.string(),
  reason: z.string().optional(),
  /** the scoped rule an allow_always / reject_always wrote */
  rule: json.optional(),
});

export const TurnCancelRequested = z.object({
  turn: z.number().int().positive(),
  reason: z.enum(['client', 'timeout', 'shutdown', 'close', 'mcp', 'budget']),
  /** reason budget: the budget the running turn went over (a BudgetExceeded event tells the rest) */
  budget: z.string().optional(),
});

export const TurnEnded = z.object({
  turn: z.number().int().positive(),
  outcome: z.enum(turnOutcomes),
  stop_reason: z.string().nullable(),
  text: z.string(),
  usage: json.optional(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** tool calls of the turn that never reported an outcome (recovery) */
  unknown_tool_calls: z.array(z.string()).optional(),
});

/**
 * A budget (config `budgets`) stopped work: a prompt refused before it started (`prompt_refused`, nothing else is
 * recorded for it), or a running turn that went over (`turn_cancelled`, followed by its TurnCancelRequested).
 * Recorded so that refusals can be counted and audited; the usage figures themselves are folds of the turns.
 */
export const BudgetExceeded = z.object({
  action: z.enum(['prompt_refused', 'turn_cancelled']),
  turn: z.number().int().positive().nullable(),
  budget: z.object({
    /** which part of `budgets` set it: agents.<name>, tokens.<name>, or session (the default of every session) */
    scope: z.enum(['agent', 'token', 'session']),
    name: z.string().nullable(),
    kind: z.enum(['max_cost_per_day', 'max_tokens_per_session', 'max_prompts_per_hour']),
    limit: z.number(),
    currency: z.string().optional(),
  }),
  /** the usage the limit was measured against, in the budget's unit */
  usage: z.number(),
  /** when the window restarts (ISO 8601); null for max_tokens_per_session, which never resets */
  resets_at: z.string().nullable(),
});

/**
 * A fork was taken of this session (POST /sessions/{id}/fork): the new session, its agent, the position of this
 * session's log its conversation goes up to, and the method planned. The new session's SessionCreated has the
 * other end of the link (`forked_from`).
 */
export const SessionForked = z.object({
  session_id: z.string(),
  agent: z.string(),
  position: z.number().int().positive(),
  method: z.enum(forkMethods),
});

export const SessionClosed = z.object({
  reason: z.string(),
});

export const SessionFailed = z.object({
  code: z.string(),
  message: z.string(),
});

export const SessionRecovered = z.object({
  boot: z.string(),
  interrupted_turn: z.number().int().nullable(),
  expired_approvals: z.array(z.string()),
  unknown_tool_calls: z.array(z.string()),
});

/** A raw ACP message of the session's agent process, exactly as sent (`msg` is the parsed line). */
export const AcpMessage = z.object({
  dir: z.enum(['in', 'out']),
  msg: json,
  /** set on the agent's answer to the transcript that primes a new ACP session (not part of any client turn) */
  priming: z.literal(true).optional(),
});

/** An AcpMessage built by the tap (`dataText`: the line as sent or received, stored byte for byte). */
export function acpMessageEvent(data: z.output<typeof AcpMessage>, dataText?: string): CheckedEvent {
  return checkedEvent('AcpMessage', AcpMessage, data, dataText);
}

/** The TurnEnded of a turn, built by the session's turn ledger. */
export function turnEndedEvent(data: z.output<typeof TurnEnded>): CheckedEvent {
  return checkedEvent('TurnEnded', TurnEnded, data);
}

/** A stdout line of the agent that is not a JSON-RPC message: recorded and skipped. */
export const AgentOutputSkipped = z.object({
  line: z.string(),
  reason: z.string(),
});

export function defineSessionEvents(c: EventCatalogue): void {
  c.define('SessionCreated', SessionCreated);
  c.define('RepoCloned', RepoCloned);
  c.define('SessionRouted', SessionRouted);
  c.define('ContextPrepared', ContextPrepared);
  c.define('AgentAttached', AgentAttached);
  c.define('AgentAttachFailed', AgentAttachFailed);
  c.define('AgentDetached', AgentDetached);
  c.define('ModelChanged', ModelChanged);
  c.define('ModelChangeRequested', ModelChangeRequested);
  c.define('ModelChangeFailed', ModelChangeFailed);
  c.define('PromptSubmitted', PromptSubmitted);
  c.define('PermissionRequested', PermissionRequested);
  c.define('PermissionDecided', PermissionDecided);
  c.define('TurnCancelRequested', TurnCancelRequested);
  c.define('TurnEnded', TurnEnded);
  c.define('BudgetExceeded', BudgetExceeded);
  c.define('SessionForked', SessionForked);
  c.define('RemoteClientCwd', RemoteClientCwd);
  c.define('SessionClosed', SessionClosed);
  c.define('SessionFailed', SessionFailed);
  c.define('SessionRecovered', SessionRecovered);
  c.define('AcpMessage', AcpMessage);
  c.define('AgentOutputSkipped', AgentOutputSkipped);
  defineTerminalEvents(c);
}
