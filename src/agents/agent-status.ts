// Live agent status: idle/busy from running turns, open sessions against max_sessions, restarts and the last error.
// Counters that only grow (restarts, last error) are a small @xstate/store fed by committed events, so they are
// rebuilt by the same fold at boot; session counts and reported models come from the sessions projection (one
// row per session, refreshed only for the sessions commits touched).
import { createStore } from '@xstate/store';
import type { AintegrixConfig } from '../config/index.js';
import type { EventStore, RecordedEvent } from '../store/types.js';
import { modelChoice } from '../sessions/agent-models.js';
import type { SessionsProjection } from '../sessions/sessions-projection.js';

const STATUS_TYPES = ['AgentProcessSpawned', 'AgentProcessExited', 'AgentAttachFailed', 'SessionFailed'];

interface AgentCounters {
  restarts: Record<string, number>;
  lastError: Record<string, { code: string; message: string; at: string } | null>;
}

export class AgentStatusView {
  private readonly counters = createStore({
    context: { restarts: {}, lastError: {} } as AgentCounters,
    on: {
      restarted: (ctx, e: { agent: string }) => ({ ...ctx, restarts: { ...ctx.restarts, [e.agent]: (ctx.restarts[e.agent] ?? 0) + 1 } }),
      failed: (ctx, e: { agent: string; code: string; message: string; at: string }) => ({
        ...ctx,
        lastError: { ...ctx.lastError, [e.agent]: { code: e.code, message: e.message, at: e.at } },
      }),
    },
  });
  private readonly processAgent = new Map<string, string>();

  constructor(
    private readonly config: AintegrixConfig,
    private readonly sessions: SessionsProjection,
    private readonly store: EventStore,
  ) {}

  private folded = false;

  /** Committed events, as they come (they are ignored until the first read folded the log up to then). */
  observeCommitted(events: readonly RecordedEvent[]): void {
    if (this.folded) this.observe(events);
  }

  /**
   * The counters are a fold of the log, done on the first read rather than at boot: only this view's event types,
   * through the type index, in log order. Synchronous, so no commit falls between the fold and the live events.
   */
  private foldLog(): void {
    if (this.folded) return;
    this.folded = true;
    const events = STATUS_TYPES.flatMap((type) => [...this.store.iterate({ type })]).sort((a, b) => a.position - b.position);
    this.observe(events);
  }

  private observe(events: readonly RecordedEvent[]): void {
    for (const e of events) {
      if (e.type === 'AgentProcessSpawned') {
        const d = e.data as { agent: string; restart: number };
        this.processAgent.set(e.streamId, d.agent);
        if (d.restart > 0) this.counters.trigger.restarted({ agent: d.agent });
      } else if (e.type === 'AgentProcessExited') {
        const d = e.data as { code: number | null; signal: string | null; requested: boolean; stderr_tail: string };
        const agent = this.processAgent.get(e.streamId);
        if (agent && !d.requested) {
          const how = d.signal ? `signal ${d.signal}` : `code ${d.code}`;
          this.counters.trigger.failed({ agent, code: 'agent_exited', message: `exited (${how})`, at: new Date(e.at).toISOString() });
        }
      } else if (e.type === 'AgentAttachFailed' || (e.type === 'SessionFailed' && (e.data as { code: string }).code === 'agent_failed')) {
        const d = e.data as { code: string; message: string };
        // session ids are `<agent>_<uuid>` (36 characters of uuid)
        const agent = e.streamId.slice('session:'.length, -37);
        this.counters.trigger.failed({ agent, code: d.code, message: d.message, at: new Date(e.at).toISOString() });
      }
    }
  }

  all() {
    this.foldLog();
    const counters = this.counters.getSnapshot().context;
    const active = new Map<string, number>();
    const busy = new Map<string, number>();
    for (const r of Object.values(this.sessions.rows())) {
      if (!r.active) continue;
      active.set(r.agent, (active.get(r.agent) ?? 0) + 1);
      if (r.busy) busy.set(r.agent, (busy.get(r.agent) ?? 0) + 1);
    }
    return Object.entries(this.config.agents).map(([name, a]) => {
      const running = busy.get(name) ?? 0;
      return {
        name,
        status: running > 0 ? 'busy' : 'idle',
        active_sessions: active.get(name) ?? 0,
        running_turns: running,
        max_sessions: a.max_sessions,
        restarts: counters.restarts[name] ?? 0,
        last_error: counters.lastError[name] ?? null,
      };
    });
  }

  /** Models the most recently attached live session of `agent` reported. */
  reportedModels(agent: string): { available: string[]; current: string | null } | null {
    let best: { createdAt: number; models: unknown; configOptions: unknown } | null = null;
    for (const r of Object.values(this.sessions.rows())) {
      if (r.agent !== agent || !r.attached) continue;
      if (!best || r.attached.createdAt >= best.createdAt) best = r.attached;
    }
    if (!best) return null;
    const choice = modelChoice(best.models, best.configOptions);
    return { available: choice.available, current: choice.current };
  }
}
