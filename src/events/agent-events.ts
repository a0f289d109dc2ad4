// Events of an agent process stream (`agent:<name>:<n>`): one stream per spawned process, so the lineage of
// restarts, each initialize result and each exit (code, signal, stderr tail) stay on record.
import { z } from 'zod';
import type { EventCatalogue } from './catalogue.js';

export const AgentProcessSpawned = z.object({
  agent: z.string(),
  session: z.string(),
  pid: z.number().int(),
  command: z.string(),
  args: z.array(z.string()),
  cwd: z.string(),
  /** 0 for the first process of a session, n for its n-th restart */
  restart: z.number().int().nonnegative(),
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

export function defineAgentEvents(c: EventCatalogue): void {
  c.define('AgentProcessSpawned', AgentProcessSpawned);
  c.define('AgentProcessInitialized', AgentProcessInitialized);
  c.define('AgentProcessExited', AgentProcessExited);
}
