// The one place that says which calls of an agent act on the world. A call that changes a file or starts or stops a
// process is committed to the log BEFORE it is handled (session-tap.ts holds it back until then): a gateway that
// dies, or a log that cannot be written, never leaves a changed workspace or a running process without the request
// that caused it on record. Everything else an agent sends (message chunks, reads, terminal output polls) is
// recorded lingering, as protocol traffic: it changes nothing, so it may share the next commit.

/**
 * Client methods that act on the world. terminal/release is here whatever the terminal's state: it kills a
 * process that still runs, and whether it still runs can change between our look and the kill.
 */
export const ACTING_CLIENT_METHODS: ReadonlySet<string> = new Set([
  'fs/write_text_file',
  'terminal/create',
  'terminal/kill',
  'terminal/release',
]);

/** A request from the agent (a JSON-RPC message with an id and a method): the calls a client answers. */
export interface AgentCall {
  id: string | number | null;
  method: string;
}

export function agentCall(message: unknown): AgentCall | null {
  const m = message as { id?: unknown; method?: unknown };
  if (typeof m.method !== 'string' || !('id' in (message as object))) return null;
  return { id: m.id as AgentCall['id'], method: m.method };
}

/** Calls on the session's workspace and processes (fs/*, terminal/*): a session that failed answers none of them. */
export function touchesWorkspace(method: string): boolean {
  return method.startsWith('fs/') || method.startsWith('terminal/');
}

export function actsOnTheWorld(method: string): boolean {
  return ACTING_CLIENT_METHODS.has(method);
}

/** JSON-RPC error data reasons of a refused call (`data.reason`, as for every fs/terminal error: json-rpc-error.ts). */
export type RefusalReason = 'not_recorded' | 'session_failed';

export const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  not_recorded: 'the gateway could not record this call, so it was not carried out',
  session_failed: 'the session has failed: its workspace and terminals take no more calls',
};
