// The orchestration as the API shows it (POST /orchestrate's answer, GET /orchestrations/{id}, the MCP tool's
// structured content): results in request order, the winner and the verdict, all read from the folded state.
import { candidate, type OrchestrationContext } from './orchestration-state.js';

export function orchestrationView(c: OrchestrationContext) {
  const winner = c.winner ? candidate(c, c.winner) : undefined;
  return {
    id: c.id,
    strategy: c.strategy,
    status: c.status,
    duration_ms: c.endedAt !== null ? c.endedAt - c.startedAt : null,
    results: c.candidates.map((x) => ({
      label: x.label,
      agent: x.agent,
      session_id: x.session_id,
      status: x.status,
      stop_reason: x.result?.stop_reason ?? null,
      text: x.result?.text ?? '',
      usage: x.result?.usage ?? null,
      duration_ms: x.result?.duration_ms ?? null,
      ...(x.result?.error ? { error: x.result.error } : {}),
      ...(x.result?.diff_stat !== undefined ? { diff_stat: x.result.diff_stat, diff: x.result.diff ?? '', diff_truncated: x.result.diff_truncated ?? false } : {}),
      ...(x.worktree ? { worktree: x.worktree.path } : {}),
      ...(x.sessions.length > 1 ? { earlier_sessions: x.sessions.slice(0, -1) } : {}),
    })),
    ...(winner ? { winner: { label: winner.label, agent: winner.agent, session_id: winner.session_id } } : {}),
    ...(c.verdict ? { verdict: c.verdict } : {}),
    ...(c.strategy === 'jury'
      ? {
          judge: c.judge,
          judge_mode: c.judgeMode,
          matches: c.matches.map((m) => ({ match: m.match, round: m.round, labels: m.labels, judge_sessions: m.judgeSessions, attempts: m.answers, verdict: m.verdict })),
        }
      : {}),
    ...(c.reason ? { reason: c.reason } : {}),
  };
}

/** One line of GET /orchestrations. */
export function orchestrationSummary(c: OrchestrationContext) {
  return {
    id: c.id,
    strategy: c.strategy,
    status: c.status,
    candidates: c.candidates.map((x) => ({ label: x.label, agent: x.agent, session_id: x.session_id, status: x.status })),
    winner: c.winner,
    created_at: new Date(c.startedAt).toISOString(),
  };
}
