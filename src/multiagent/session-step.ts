// One step of a multi-agent actor (a pipeline step, an orchestration candidate or judge): an ordinary session is
// created, prompted once, followed to the committed end of its turn, and closed. The result is read from what the
// log holds (TurnEnded): the agent's whole answer, its stop reason and usage. It never throws: every failure, the
// session's creation included, is a `failed` result with the error, so the actor can record it.
import type { EventMeta } from '../store/types.js';
import type { MultiAgentOrigin, StepSessions } from './session-port.js';

export interface SessionStepInput {
  origin: MultiAgentOrigin;
  agent: string;
  model?: string;
  workspace_root?: string;
  /** the prompt's text */
  prompt: string;
  meta: EventMeta;
  /** abort: the running turn gets session/cancel (result `cancelled`); the session is closed either way */
  signal?: AbortSignal;
  /** after the session is created, before it is prompted: the caller records the link in its own stream first */
  onSession?(sessionId: string): Promise<void>;
}

export type SessionStepStatus = 'completed' | 'failed' | 'cancelled';

export interface SessionStepResult {
  /** null when the session could not be created */
  session_id: string | null;
  agent: string;
  status: SessionStepStatus;
  /** the turn's outcome as TurnEnded recorded it (null when no turn ran) */
  outcome: string | null;
  stop_reason: string | null;
  /** the agent's whole answer */
  text: string;
  usage: unknown;
  duration_ms: number;
  error?: { code: string; message: string };
}

export async function runSessionStep(sessions: StepSessions, input: SessionStepInput): Promise<SessionStepResult> {
  const started = Date.now();
  const base = { agent: input.agent, duration_ms: 0 };
  const done = (r: Omit<SessionStepResult, 'agent' | 'duration_ms'>): SessionStepResult => ({ ...base, ...r, duration_ms: Date.now() - started });
  let sessionId: string | null = null;
  let onAbort: (() => void) | undefined;
  try {
    if (input.signal?.aborted) return done({ session_id: null, status: 'cancelled', outcome: null, stop_reason: null, text: '', usage: null });
    const created = await sessions.create({ agent: input.agent, origin: input.origin, model: input.model, workspace_root: input.workspace_root }, input.meta);
    sessionId = created.id;
    await input.onSession?.(sessionId);
    if (input.signal?.aborted) return done({ session_id: sessionId, status: 'cancelled', outcome: null, stop_reason: null, text: '', usage: null });
    const submitted = await sessions.prompt(sessionId, input.prompt, input.meta);
    const id = sessionId;
    onAbort = () => void sessions.cancel(id, input.meta);
    input.signal?.addEventListener('abort', onAbort, { once: true });
    if (input.signal?.aborted) onAbort();
    const r = await submitted.result;
    const status: SessionStepStatus = r.outcome === 'completed' ? 'completed' : r.outcome === 'cancelled' ? 'cancelled' : 'failed';
    return done({
      session_id: sessionId,
      status,
      outcome: r.outcome,
      stop_reason: r.stop_reason,
      text: r.text,
      usage: r.usage ?? null,
      ...(r.error ? { error: r.error } : status === 'failed' ? { error: { code: r.outcome, message: `the turn ended ${r.outcome}` } } : {}),
    });
  } catch (e) {
    return done({ session_id: sessionId, status: 'failed', outcome: null, stop_reason: null, text: '', usage: null, error: errorOf(e) });
  } finally {
    if (onAbort) input.signal?.removeEventListener('abort', onAbort);
    if (sessionId !== null) {
      await sessions.close(sessionId, input.meta, `${input.origin}_step_done`).catch(() => undefined);
    }
  }
}

function errorOf(e: unknown): { code: string; message: string } {
  const code = e !== null && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : 'step_failed';
  return { code, message: e instanceof Error ? e.message : String(e) };
}
