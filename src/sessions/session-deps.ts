// What a live session needs from the rest of the gateway.
import type { AgentProcesses } from '../agents/agent-processes.js';
import type { AintegrixConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import type { PermissionPolicy } from '../permissions/index.js';
import type { EventStore } from '../store/types.js';
import type { SessionContext } from './session-machine.js';
import type { AgentSandbox } from '../sandbox/agent-sandbox.js';
import type { BudgetBreach } from '../usage/budgets.js';
import type { SessionSignals } from './session-signals.js';

export interface SessionDeps {
  config: AintegrixConfig;
  store: EventStore;
  policy: PermissionPolicy;
  logger: Logger;
  /** the environment an agent process of `agent` gets (no gateway secrets) */
  agentEnv(agent: string): Record<string, string>;
  /** the sandbox of a session's agent and its terminals; undefined for `sandbox: none` */
  sandboxFor(ctx: SessionContext): AgentSandbox | undefined;
  /** MCP servers for session/new: the agent's configured ones plus the session's own */
  mcpServersFor(ctx: SessionContext): unknown[];
  /** the agent-process actors: every start and stop of an agent process goes through them */
  processes: AgentProcesses;
  /** how long an agent has to answer session/cancel before it is stopped */
  cancelGraceMs: number;
  /** back-off before each restart after consecutive crashes; one more crash gives up (default 1, 2, 4, 8, 16 s) */
  restartBackoffMs?: readonly number[];
  now(): number;
  /** the gateway's environment (git takes PATH, HOME, ... from it when it clones; default process.env) */
  gatewayEnv?: Readonly<Record<string, string | undefined>>;
  /** the budgets a prompt is checked against before it starts (none: no budgets) */
  budgets?: { beforePrompt(sessionId: string, token: string | null): BudgetBreach | null };
  /** committed outcomes (a turn's TurnEnded, a model change's result) that callers wait for */
  signals: SessionSignals;
}
