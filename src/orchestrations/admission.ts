// Admission of an orchestration, all or nothing: every check runs before the first session or worktree exists, so
// a refused request leaves nothing behind. Capacity counts every session the orchestration will open (candidates,
// and one judge session for a jury) against each agent's max_sessions and limits.max_sessions_total.
import { HttpError } from '../errors/http-error.js';
import type { StepSessions } from '../multiagent/session-port.js';
import type { OrchestrateRequest } from './orchestrate-request.js';

export function admitOrchestration(req: OrchestrateRequest, port: StepSessions, limits: { max_candidates: number; max_sessions_total: number }): void {
  const n = req.agents.length;
  if (n > limits.max_candidates) {
    throw new HttpError(400, 'too_many_candidates', `${n} candidates asked for; limits.max_candidates is ${limits.max_candidates}`);
  }
  if (req.strategy !== 'parallel' && n < 2) throw new HttpError(400, 'invalid_request', `strategy '${req.strategy}' needs at least two candidates`);
  if (req.strategy === 'jury' && !req.judge) throw new HttpError(400, 'judge_required', "strategy 'jury' needs a 'judge' (a configured agent)");
  if (req.strategy !== 'jury' && (req.judge !== undefined || req.judge_mode !== undefined)) {
    throw new HttpError(400, 'invalid_request', "'judge' and 'judge_mode' are only used with strategy 'jury'");
  }
  const wanted = new Map<string, number>();
  for (const agent of [...req.agents, ...(req.judge ? [req.judge] : [])]) {
    // 400 (not 404): the request body names it, as the contract says
    if (!port.agentExists(agent)) throw new HttpError(400, 'agent_not_found', `agent '${agent}' not configured`);
    wanted.set(agent, (wanted.get(agent) ?? 0) + 1);
  }
  const open = port.openSessions();
  for (const [agent, count] of wanted) {
    const max = port.maxSessions(agent);
    const used = open.byAgent.get(agent) ?? 0;
    if (used + count > max) {
      throw new HttpError(429, 'max_sessions_reached', `agent '${agent}' has room for ${Math.max(0, max - used)} more sessions (max_sessions ${max}); this orchestration needs ${count}`);
    }
  }
  const total = n + (req.judge ? 1 : 0);
  if (open.total + total > limits.max_sessions_total) {
    throw new HttpError(429, 'max_sessions_reached', `the gateway has room for ${Math.max(0, limits.max_sessions_total - open.total)} more sessions (limits.max_sessions_total ${limits.max_sessions_total}); this orchestration needs ${total}`);
  }
}
