// Helpers shared by the behaviours that act through the client: tool-call ids, paths, error reports.
import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { Turn } from '../turn.js';

/** An id shaped like claude-agent-acp's (`toolu_…`), unique per call. */
export function newToolCallId(): string {
  return `toolu_demo_${randomBytes(6).toString('hex')}`;
}

/** ACP wants absolute paths: a relative path is taken relative to the session cwd. */
export function absolutePath(turn: Turn, path: string): string {
  return isAbsolute(path) ? path : resolve(turn.cwd, path);
}

/** `CODE message` for a JSON-RPC error from the client, or the plain message for anything else. */
export function describeClientError(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : String(error);
    return typeof code === 'number' ? `${code} ${text}` : text;
  }
  return String(error);
}
