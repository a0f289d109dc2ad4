// One candidate's run (the effect.runCandidates handler): a session step (src/multiagent/session-step.ts: an
// ordinary session of origin orchestration, created, linked in this stream by CandidateStarted before its prompt,
// prompted with the task, closed at the end), cancelled at timeout_secs, by a race's winner or by DELETE through its
// AbortSignal; then its worktree's diff, and CandidateEnded through the decider. The step closes the session (its
// agent process gone) before the end is recorded, so when a race ends no loser's process is left.
import type { EventMeta } from '../store/types.js';
import type { Logger } from '../log/logger.js';
import type { CandidateEndedData } from '../events/orchestration-events.js';
import type { StepSessions } from '../multiagent/session-port.js';
import { runSessionStep, type SessionStepResult } from '../multiagent/session-step.js';
import type { OrchestrationActor } from './orchestration-kind.js';
import { candidate } from './orchestration-state.js';
import { taskText } from './judge-prompt.js';
import type { GitWorktrees } from './worktrees.js';

export interface RunnerDeps {
  sessions(): StepSessions;
  worktrees: GitWorktrees;
  logger: Logger;
  /** who started (or resumed) the orchestration, plus `orchestration: <id>`: its prompts are theirs (budgets, usage, audit) */
  metaOf(actor: OrchestrationActor): EventMeta;
  /** the runs under way, by `<id>:<label>`: their abort controllers (race losers, DELETE) and completions */
  runs: Map<string, { abort: AbortController; done: Promise<void> }>;
  /** true once the gateway shuts down: results are no longer recorded (the next boot records them interrupted) */
  stopping(): boolean;
}

export function runCandidate(actor: OrchestrationActor, label: string, deps: RunnerDeps): Promise<void> {
  const key = `${actor.id}:${label}`;
  const abort = new AbortController();
  const done = run(actor, label, abort, deps).finally(() => deps.runs.delete(key));
  deps.runs.set(key, { abort, done });
  return done;
}

async function run(actor: OrchestrationActor, label: string, abort: AbortController, deps: RunnerDeps): Promise<void> {
  const ctx = actor.snapshot().context;
  const c = candidate(ctx, label);
  if (!c || c.status !== 'running') return;
  const meta = { ...deps.metaOf(actor), orchestration_candidate: label };
  const sessions = deps.sessions();
  // a resumed candidate: the session a restart interrupted is done with, the candidate runs again in a new one
  if (c.session_id !== null) await sessions.close(c.session_id, meta, 'orchestration_resumed').catch(() => undefined);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let step: SessionStepResult;
  try {
    step = await runSessionStep(sessions, {
      origin: 'orchestration',
      agent: c.agent,
      ...(ctx.model ? { model: ctx.model } : {}),
      ...(c.worktree ? { workspace_root: c.worktree.path } : ctx.workspaceRoot ? { workspace_root: ctx.workspaceRoot } : {}),
      prompt: taskText(ctx.messages),
      meta,
      signal: abort.signal,
      onSession: async (session_id) => {
        const r = await actor.execute({ type: 'linkCandidate', label, session_id }, meta);
        if (!r.ok) throw new Error(`candidate ${label}: ${r.message ?? r.reason}`);
        // timeout_secs counts the candidate's work, from its prompt (not the agent's start)
        if (ctx.timeoutSecs !== null) timer = setTimeout(() => ((timedOut = true), abort.abort()), ctx.timeoutSecs * 1000);
      },
    });
  } finally {
    clearTimeout(timer);
  }
  if (deps.stopping()) return;
  const result = ended(label, step, timedOut && step.status !== 'completed' ? ctx.timeoutSecs : null);
  if (c.worktree) {
    try {
      Object.assign(result, await deps.worktrees.diff(c.worktree));
    } catch (e) {
      deps.logger.warn('cannot diff a candidate worktree', { orchestration: actor.id, label, error: e as Error });
    }
  }
  const r = await actor.execute({ type: 'endCandidate', result }, meta);
  if (!r.ok && r.reason !== 'orchestration_not_found') deps.logger.warn('candidate end refused', { orchestration: actor.id, label, reason: r.reason });
}

/** Cancel the runs of `labels` (a race's losers, a deleted orchestration's candidates) and wait for them to end. */
export async function cancelCandidates(actor: OrchestrationActor, labels: readonly string[], deps: RunnerDeps): Promise<void> {
  const runs = labels.flatMap((label) => {
    const r = deps.runs.get(`${actor.id}:${label}`);
    return r ? [r] : [];
  });
  for (const r of runs) r.abort.abort();
  await Promise.all(runs.map((r) => r.done.catch(() => undefined)));
}

function ended(label: string, step: SessionStepResult, timedOutAfter: number | null): CandidateEndedData {
  const base = { label, stop_reason: step.stop_reason, text: step.text, usage: step.usage ?? undefined, duration_ms: step.duration_ms };
  if (timedOutAfter !== null) {
    return { ...base, status: 'failed', error: { code: 'timeout', message: `the candidate did not finish within ${timedOutAfter}s (timeout_secs)` } };
  }
  return { ...base, status: step.status, error: step.error ?? null };
}
