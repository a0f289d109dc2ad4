// Events of a session stream about the terminals its agent runs through the client (`terminal/*`): recorded so
// that a restarted gateway can stop what a previous one left running (sessions/stray-terminals.ts).
import { z } from 'zod';
import type { EventCatalogue } from './catalogue.js';

/**
 * A terminal's process, recorded before its command runs (workspace/terminal-process.ts): what identifies it while it
 * runs (pid, process group, start time from /proc/<pid>/stat), so a restarted gateway can stop what is left of it.
 */
export const TerminalStarted = z.object({
  terminal_id: z.string(),
  pid: z.number().int(),
  pgid: z.number().int(),
  start_time: z.string().nullable(),
  command: z.string(),
  args: z.array(z.string()),
  cwd: z.string(),
});

/** The terminal's process exited (what it started may live on in its group until the terminal is released). */
export const TerminalExited = z.object({
  terminal_id: z.string(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
});

/**
 * The terminal's process group was stopped: released by the agent, at close or shutdown, or at boot when a previous
 * gateway left it running (`at_boot`: `stopped`, or `gone` when nothing of it was left). `gone`: the group was seen
 * empty afterwards.
 */
export const TerminalReleased = z.object({
  terminal_id: z.string(),
  gone: z.boolean(),
  at_boot: z.enum(['stopped', 'gone']).optional(),
});

export function defineTerminalEvents(c: EventCatalogue): void {
  c.define('TerminalStarted', TerminalStarted);
  c.define('TerminalExited', TerminalExited);
  c.define('TerminalReleased', TerminalReleased);
}
