// Events of an agent process stream (`agent:<name>:<n>`): one stream per spawned process, so the lineage of
// restarts, each initialize result and each exit (code, signal, stderr tail) stay on record.
import { z } from 'zod';
import type { EventCatalogue } from './catalogue.js';

/**
 * A session asks for an agent process (append before act: the process is started only once this is committed). The
 * same fields as AgentProcessSpawned, without the pid the start gives.
 */
export const AgentProcessRequested = z.object({
  agent: z.string(),
  session: z.string(),
  command: z.string(),
  args: z.array(z.string()),
  cwd: z.string(),
  /** 0 for the first process of a session, n for its n-th restart (continued across gateway restarts) */
  restart: z.number().int().nonnegative(),
  sandbox: z.string().optional(),
});

/** The requested process could not be started (the executable is missing, say). */
export const AgentProcessSpawnFailed = z.object({
  message: z.string(),
});

/**
 * The gateway asks its process to stop (append before act): TERM to its group, KILL after `grace_ms` (0: at once).
 * AgentProcessExited records the outcome.
 */
export const AgentProcessStopRequested = z.object({
  /** outlived_gateway: found alive at boot, started by a gateway that died */
  reason: z.enum(['close', 'shutdown', 'timeout_restart', 'cancel_unanswered', 'attach_failed', 'outlived_gateway']),
  grace_ms: z.number().int().nonnegative(),
});

export const AgentProcessSpawned = z.object({
  agent: z.string(),
  session: z.string(),
  pid: z.number().int(),
  command: z.string(),
  args: z.array(z.string()),
  cwd: z.string(),
  /** 0 for the first process of a session, n for its n-th restart */
  restart: z.number().int().nonnegative(),
  /** 'bwrap' when the process runs in the agent's sandbox (absent in events written before sandboxes existed) */
  sandbox: z.string().optional(),
});

export const AgentProcessInitialized = z.object({
  protocol_version: z.number().int().nullable(),
  agent_capabilities: z.unknown(),
  agent_info: z.unknown(),
  auth_methods: z.array(z.unknown()).default([]),
});

export const AgentProcessExited = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  stderr_tail: z.string(),
  /** true when the gateway stopped it (close, shutdown, timeout restart) */
  requested: z.boolean(),
});

/**
 * The gateway refused a call of the agent without carrying it out (client-call-effects.ts): its record could not be
 * committed, or the session had failed. Kept on the process stream, which takes writes when the session's does not.
 */
export const ClientCallRefused = z.object({
  session: z.string(),
  id: z.union([z.string(), z.number(), z.null()]),
  method: z.string(),
  reason: z.enum(['not_recorded', 'session_failed']),
});

export function defineAgentEvents(c: EventCatalogue): void {
  c.define('AgentProcessRequested', AgentProcessRequested);
  c.define('AgentProcessSpawnFailed', AgentProcessSpawnFailed);
  c.define('AgentProcessStopRequested', AgentProcessStopRequested);
  c.define('AgentProcessSpawned', AgentProcessSpawned);
  c.define('AgentProcessInitialized', AgentProcessInitialized);
  c.define('AgentProcessExited', AgentProcessExited);
  c.define('ClientCallRefused', ClientCallRefused);
}
