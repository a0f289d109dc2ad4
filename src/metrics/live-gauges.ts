// The gauges of live state, counted by agent from the actors on each scrape (never on a request or a commit).
import type { ActorRuntime } from '../actors/runtime.js';
import type { SessionService } from '../sessions/session-service.js';
import type { SessionStreams } from '../streams/session-streams.js';
import { isRunning, type agentProcessMachine } from '../agents/agent-process-machine.js';
import type { MetricGauges } from './prom-metrics.js';

export function liveGauges(sessions: SessionService, runtime: ActorRuntime, streams: SessionStreams): MetricGauges {
  /** per agent, the open sessions counted by `count` */
  const countSessions = (count: (value: unknown, approvals: number) => number) => () => {
    const out: Record<string, number> = {};
    for (const a of sessions.actors()) {
      const s = a.snapshot();
      if (s.status !== 'active') continue;
      const n = count(s.value, Object.keys(s.context.approvals).length);
      if (n > 0 || !(s.context.agent in out)) out[s.context.agent] = (out[s.context.agent] ?? 0) + n;
    }
    return out;
  };
  return {
    activeSessions: countSessions(() => 1),
    runningTurns: countSessions((value) => (value === 'prompting' ? 1 : 0)),
    pendingApprovals: countSessions((_value, approvals) => approvals),
    agentProcesses: () => {
      const out: Record<string, number> = {};
      for (const p of runtime.list<typeof agentProcessMachine>('agent')) {
        const s = p.snapshot();
        if (s.status === 'active' && isRunning(s.value)) out[s.context.agent] = (out[s.context.agent] ?? 0) + 1;
      }
      return out;
    },
    streamClients: () => streams.feed.size,
  };
}
