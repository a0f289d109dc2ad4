// Prometheus metrics (`GET /metrics`). Counters about sessions, turns, permissions and agents are folds of the log:
// rebuilt at boot from the events of their types (the type index keeps that cheap) and advanced by every commit, so
// they survive restarts. HTTP request counts are per process. Labels have bounded cardinality: agent names, turn
// outcomes, decisions, route patterns — never session ids.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventStore, RecordedEvent } from '../store/types.js';

const FOLDED_TYPES = ['SessionCreated', 'PromptSubmitted', 'TurnEnded', 'PermissionDecided', 'AgentProcessSpawned'] as const;

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly sessionsCreated = new Counter({ name: 'aintegrix_sessions_created_total', help: 'Sessions created', labelNames: ['agent'], registers: [this.registry] });
  private readonly prompts = new Counter({ name: 'aintegrix_prompts_total', help: 'Prompts submitted', labelNames: ['agent'], registers: [this.registry] });
  private readonly turns = new Counter({ name: 'aintegrix_turns_total', help: 'Turns ended, by outcome', labelNames: ['agent', 'outcome'], registers: [this.registry] });
  private readonly restarts = new Counter({ name: 'aintegrix_agent_restarts_total', help: 'Agent process restarts', labelNames: ['agent'], registers: [this.registry] });
  private readonly permissions = new Counter({ name: 'aintegrix_permission_decisions_total', help: 'Permission decisions, by decision and who decided', labelNames: ['decision', 'by'], registers: [this.registry] });
  private readonly events = new Counter({ name: 'aintegrix_events_appended_total', help: 'Events appended to the log by this process', registers: [this.registry] });
  private readonly sessionAgent = new Map<string, string>();

  constructor(
    store: EventStore,
    gauges: { activeSessions: () => Record<string, number>; streamClients: () => number },
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'aintegrix_process_' });
    const requestCounts = this.requestCounts;
    new Counter({
      name: 'aintegrix_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
      // the request path only bumps a number; the counter catches up when it is scraped
      collect() {
        for (const c of requestCounts.values()) {
          if (c.n > c.reported) this.inc(c.labels, c.n - c.reported);
          c.reported = c.n;
        }
      },
    });
    new Gauge({
      name: 'aintegrix_sessions_active',
      help: 'Open sessions, by agent',
      labelNames: ['agent'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [agent, n] of Object.entries(gauges.activeSessions())) this.set({ agent }, n);
      },
    });
    new Gauge({
      name: 'aintegrix_stream_clients',
      help: 'Open SSE and WebSocket stream clients',
      registers: [this.registry],
      collect() {
        this.set(gauges.streamClients());
      },
    });
    this.store = store;
    store.onCommitted((batch) => {
      this.events.inc(batch.length);
      if (this.folded) for (const e of batch) if ((FOLDED_TYPES as readonly string[]).includes(e.type)) this.fold(e);
    });
  }

  private readonly store: EventStore;
  private folded = false;

  /**
   * The log counters are folded on the first scrape, not at boot (boot time stays independent of the log's size).
   * The fold reads synchronously up to the head; commits after it are folded as they come, so nothing is counted
   * twice or missed.
   */
  private foldLog(): void {
    if (this.folded) return;
    this.folded = true;
    for (const type of FOLDED_TYPES) for (const e of this.store.iterate({ type })) this.fold(e);
  }

  private readonly requestCounts = new Map<string, { labels: { method: string; route: string; status: string }; n: number; reported: number }>();

  /** Per request: one map lookup and an increment (prom-client's labelled inc hashes its labels every time). */
  countRequest(method: string, route: string, status: number): void {
    const key = `${method} ${route} ${status}`;
    const c = this.requestCounts.get(key);
    if (c) c.n++;
    else this.requestCounts.set(key, { labels: { method: method.toUpperCase(), route, status: String(status) }, n: 1, reported: 0 });
  }

  render(): Promise<string> {
    this.foldLog();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private fold(e: RecordedEvent): void {
    const d = e.data as Record<string, unknown>;
    switch (e.type) {
      case 'SessionCreated':
        this.sessionAgent.set(e.streamId, String(d.agent));
        this.sessionsCreated.inc({ agent: String(d.agent) });
        break;
      case 'PromptSubmitted':
        this.prompts.inc({ agent: this.agentOf(e) });
        break;
      case 'TurnEnded':
        this.turns.inc({ agent: this.agentOf(e), outcome: String(d.outcome) });
        break;
      case 'PermissionDecided':
        this.permissions.inc({ decision: String(d.decision), by: decider(String(d.decided_by)) });
        break;
      case 'AgentProcessSpawned':
        if (Number(d.restart) > 0) this.restarts.inc({ agent: String(d.agent) });
        break;
    }
  }

  private agentOf(e: RecordedEvent): string {
    return this.sessionAgent.get(e.streamId) ?? e.streamId.slice('session:'.length, -37);
  }
}

/** Who decided, as a bounded label: the automatic deciders by name, every person as `person`. */
function decider(by: string): string {
  return ['policy', 'session_rule', 'deadline', 'cancel', 'agent', 'agent_exit', 'recovery', 'shutdown'].includes(by) ? by : 'person';
}
