// Attaching an agent process to a session: spawn, `initialize`, then the best way into the conversation the agent's
// capabilities allow — `session/new` for a new session; for one that had an agent before (restart, crash):
// `session/resume` → `session/load` (its replayed updates are not recorded a second time) → `session/new`; for a
// forked session: `session/fork` of the source's ACP session when the fork is native, else `session/new` primed with
// the source's transcript. Every step is recorded; the path taken is part of AgentAttached.
import { AgentSpawnError, type AgentConnection, type ExitInfo } from '../acp/agent-connection.js';
import type { AgentConfig } from '../config/index.js';
import type { NewEvent } from '../store/types.js';
import type { ProcessActor, RunningProcess } from '../agents/agent-processes.js';
import { AttachError, errorText, rpcCode, withTimeout } from './attach-error.js';
import { modelChoice, setModelRequest } from './agent-models.js';
import type { SessionContext } from './session-machine.js';
import type { TranscriptReason } from './transcript.js';

export const CLIENT_INFO = { name: 'aintegrix', title: 'AIntegriX gateway', version: '0.1.0' };
export const CLIENT_CAPABILITIES = { fs: { readTextFile: true, writeTextFile: true }, terminal: true };

/** What attaching needs from the agent link (agent-link.ts). */
export interface AttachHost {
  readonly context: SessionContext;
  readonly agentConfig: AgentConfig;
  readonly mcpServers: unknown[];
  readonly timeouts: { readonly initMs: number; readonly primingMs: number };
  /** the session's tap: the load-replay filter (returns how many replayed updates it recognised) and the priming mark */
  readonly tap: { setReplaying(on: boolean): number; setPriming(on: boolean): void };
  /** start the agent process through its actor (the request is committed before the process starts) */
  spawn(): Promise<RunningProcess>;
  /** stop the process of an attach that failed */
  stop(running: RunningProcess): Promise<ExitInfo>;
  /** append to the session's stream */
  record(events: NewEvent[]): Promise<unknown>;
  /** the bounded transcript from our log, for path new_with_transcript (of a re-attach, or of a fork) */
  transcript(reason: TranscriptReason): { text: string; entries: number; chars: number } | undefined;
}

type Caps = {
  loadSession?: boolean;
  sessionCapabilities?: { resume?: unknown; close?: unknown; fork?: unknown };
};

export async function attachAgent(host: AttachHost, cause: 'create' | 'reattach'): Promise<RunningProcess> {
  let running: RunningProcess;
  try {
    running = await host.spawn();
  } catch (e) {
    const err = new AttachError('spawn_failed', e instanceof AgentSpawnError ? e.message : errorText(e));
    await host.record([{ type: 'AgentAttachFailed', data: { code: err.code, message: err.message } }]);
    throw err;
  }
  const { connection, process } = running;
  try {
    const attached = await establish(host, connection, process, cause);
    await host.record([{ type: 'AgentAttached', data: attached }]);
    return running;
  } catch (e) {
    const err = await asAttachError(e, connection);
    const exit = await host.stop(running);
    await host.record([{ type: 'AgentAttachFailed', data: { code: err.code, message: err.message, stderr_tail: exit.stderrTail } }]);
    throw new AttachError(err.code, err.message, exit.stderrTail);
  }
}

async function establish(host: AttachHost, conn: AgentConnection, process: ProcessActor, cause: 'create' | 'reattach') {
  const ctx = host.context;
  const init = await withTimeout(
    conn.request<Record<string, unknown>>('initialize', {
      protocolVersion: 1,
      clientCapabilities: CLIENT_CAPABILITIES,
      clientInfo: CLIENT_INFO,
    }),
    host.timeouts.initMs,
    'initialize_timeout',
    'initialize',
  ).catch((e) => {
    throw e instanceof AttachError ? e : new AttachError('initialize_failed', `initialize failed: ${errorText(e)}`);
  });
  const caps = (init.agentCapabilities ?? {}) as Caps;
  await process.record([
    {
      type: 'AgentProcessInitialized',
      data: {
        protocol_version: typeof init.protocolVersion === 'number' ? init.protocolVersion : null,
        agent_capabilities: init.agentCapabilities ?? null,
        agent_info: init.agentInfo ?? null,
        auth_methods: Array.isArray(init.authMethods) ? init.authMethods : [],
      },
    },
  ]);

  const base = { cwd: ctx.workspace, mcpServers: host.mcpServers };
  const timeout = host.timeouts.initMs;
  let path: 'new' | 'resume' | 'load' | 'new_with_transcript' | 'fork' = 'new';
  let acpSessionId: string | undefined;
  let result: Record<string, unknown> = {};
  let replayed: number | undefined;
  if (cause === 'reattach' && ctx.acpSessionId) {
    if (caps.sessionCapabilities?.resume) {
      result = await tryRequest(conn, 'session/resume', { sessionId: ctx.acpSessionId, ...base }, timeout);
      if (result !== NOT_FOUND) ({ path, acpSessionId } = { path: 'resume', acpSessionId: ctx.acpSessionId });
    }
    if (!acpSessionId && caps.loadSession) {
      host.tap.setReplaying(true);
      try {
        result = await tryRequest(conn, 'session/load', { sessionId: ctx.acpSessionId, ...base }, timeout * 2);
      } finally {
        replayed = host.tap.setReplaying(false);
      }
      if (result !== NOT_FOUND) ({ path, acpSessionId } = { path: 'load', acpSessionId: ctx.acpSessionId });
    }
    if (!acpSessionId) path = 'new_with_transcript';
  }
  const fork = cause === 'create' ? ctx.forkedFrom : null;
  if (fork) {
    // native: the agent copies its own session (full history, tool state); an agent that no longer knows the source
    // session (another process without a store, say) gets the transcript instead, as a transcript fork would
    if (fork.method === 'native' && fork.acp_session_id && caps.sessionCapabilities?.fork) {
      result = await tryRequest(conn, 'session/fork', { sessionId: fork.acp_session_id, ...base }, timeout);
      if (result !== NOT_FOUND && typeof result.sessionId === 'string' && result.sessionId) ({ path, acpSessionId } = { path: 'fork', acpSessionId: result.sessionId });
    }
    if (!acpSessionId) path = 'new_with_transcript';
  }
  if (!acpSessionId) {
    result = await withTimeout(conn.request<Record<string, unknown>>('session/new', base), timeout, 'session_timeout', 'session/new').catch((e) => {
      if (e instanceof AttachError) throw e;
      if (rpcCode(e) === -32000) throw new AttachError('agent_auth_required', `the agent requires authentication: ${errorText(e)}`);
      throw new AttachError('session_new_failed', `session/new failed: ${errorText(e)}`);
    });
    if (typeof result.sessionId !== 'string' || result.sessionId.length === 0) {
      throw new AttachError('session_new_failed', 'session/new returned no sessionId');
    }
    acpSessionId = result.sessionId;
  }
  result = result ?? {};

  const { model, notApplied } = await applyModel(host, conn, acpSessionId, result);
  const transcript = path === 'new_with_transcript' ? await prime(host, conn, acpSessionId, fork ? 'fork' : 'recovery') : undefined;
  return {
    process: process.streamId,
    pid: conn.pid,
    acp_session_id: acpSessionId,
    path,
    protocol_version: typeof init.protocolVersion === 'number' ? init.protocolVersion : null,
    agent_capabilities: init.agentCapabilities ?? null,
    agent_info: init.agentInfo ?? null,
    auth_methods: Array.isArray(init.authMethods) ? init.authMethods : [],
    models: result.models ?? undefined,
    config_options: result.configOptions ?? undefined,
    modes: result.modes ?? undefined,
    model,
    ...(notApplied ? { model_applied: false, model_note: notApplied } : {}),
    ...(transcript ? { transcript } : {}),
    ...(path === 'load' ? { replayed_updates: replayed ?? 0 } : {}),
  };
}

/**
 * Path new_with_transcript: send the bounded transcript from our log as a first prompt, so the new ACP session knows
 * the conversation. A failure here is recorded, not fatal: the session goes on without the context.
 */
async function prime(host: AttachHost, conn: AgentConnection, acpSessionId: string, reason: TranscriptReason) {
  const t = host.transcript(reason);
  if (!t) return undefined;
  host.tap.setPriming(true);
  try {
    await withTimeout(
      conn.request('session/prompt', { sessionId: acpSessionId, prompt: [{ type: 'text', text: t.text }] }),
      host.timeouts.primingMs,
      'session_timeout',
      'the transcript prompt',
    );
    return { entries: t.entries, chars: t.chars, ok: true };
  } catch (e) {
    if (!conn.alive) throw e;
    return { entries: t.entries, chars: t.chars, ok: false, error: errorText(e) };
  } finally {
    host.tap.setPriming(false);
  }
}

/**
 * Apply the session's model (or the agent's configured default) when the agent offers model selection. `notApplied`
 * says why a model the client asked for was accepted without being applied.
 */
async function applyModel(
  host: AttachHost,
  conn: AgentConnection,
  acpSessionId: string,
  result: Record<string, unknown>,
): Promise<{ model: string | null; notApplied?: string }> {
  // what a client asked for is applied on every attach (a new process starts on the agent's default); the configured
  // default only on a new session — a resumed one keeps what it had, and is not sent a needless model switch
  const requested = host.context.modelRequested;
  const wanted = requested ?? (host.context.acpSessionId === null ? (host.agentConfig.default_model ?? null) : null);
  const choice = modelChoice(result.models, result.configOptions);
  if (!wanted) return { model: choice.current };
  if (!choice.via) {
    // the agent has no model selection: only the configured default may be "applied" (it is what the agent runs)
    if (requested && requested !== host.agentConfig.default_model) {
      // the original accepted any model and only echoed it; its clients send the models listed in the config, so
      // those are still accepted (and said to be unapplied); anything else is a client mistake
      if (!host.agentConfig.models.includes(requested)) {
        throw new AttachError('model_not_supported', `agent '${host.context.agent}' offers no model selection; cannot use '${requested}'`);
      }
      return {
        model: requested,
        notApplied: `agent '${host.context.agent}' offers no model selection (neither a model config option nor session/set_model); '${requested}' is one of its configured models, accepted and not applied`,
      };
    }
    return { model: wanted };
  }
  if (wanted === choice.current) return { model: wanted };
  if (choice.available.length > 0 && !choice.available.includes(wanted)) {
    if (requested) {
      throw new AttachError('unknown_model', `agent '${host.context.agent}' does not know model '${requested}' (it offers: ${choice.available.join(', ')})`);
    }
    return { model: choice.current }; // a configured default the agent does not offer: keep the agent's own
  }
  const req = setModelRequest(choice, acpSessionId, wanted)!;
  await withTimeout(conn.request(req.method, req.params), host.timeouts.initMs, 'session_timeout', req.method).catch((e) => {
    if (e instanceof AttachError) throw e;
    if (rpcCode(e) === -32602 && requested) throw new AttachError('unknown_model', `the agent refused model '${requested}': ${errorText(e)}`);
    throw new AttachError('set_model_failed', `${req.method} failed: ${errorText(e)}`);
  });
  return { model: wanted };
}

const NOT_FOUND = Object.freeze({}) as Record<string, unknown>;

/** resume/load: a "not found" answer means "fall through to the next path"; anything else is a failure. */
async function tryRequest(conn: AgentConnection, method: string, params: unknown, timeoutMs: number) {
  try {
    const r = await withTimeout(conn.request<Record<string, unknown> | null>(method, params), timeoutMs, 'session_timeout', method);
    return r ?? {};
  } catch (e) {
    if (e instanceof AttachError) throw e;
    const code = rpcCode(e);
    if (code === -32002 || code === -32001 || code === -32601 || code === -32602 || /not found/i.test(errorText(e))) return NOT_FOUND;
    throw new AttachError('session_new_failed', `${method} failed: ${errorText(e)}`);
  }
}

async function asAttachError(e: unknown, conn: AgentConnection): Promise<AttachError> {
  if (e instanceof AttachError) return e;
  if (!conn.alive || /connection closed/i.test(errorText(e))) {
    const exit = await conn.exited;
    return new AttachError('agent_exited', `the agent exited while starting (code ${exit.code}, signal ${exit.signal})`);
  }
  return new AttachError('session_new_failed', errorText(e));
}
