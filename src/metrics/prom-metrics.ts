// The prom-client side of GatewayMetrics: the registry, the counters folded from the log, and the collectors that
// read the plain counts the hot paths keep. Built once, on the first scrape.
import type * as PromClient from 'prom-client';
import type { EventStore, RecordedEvent } from '../store/types.js';

const FOLDED_TYPES = ['SessionCreated', 'PromptSubmitted', 'TurnEnded', 'PermissionDecided', 'AgentProcessSpawned'] as const;
const FOLDED: ReadonlySet<string> = new Set(FOLDED_TYPES);

export interface MetricGauges {
  activeSessions: () => Record<string, number>;
  streamClients: () => number;
}

export interface PlainCounts {
  events(): number;
  requests(): Iterable<{ labels: { method: string; route: string; status: string }; n: number; reported: number }>;
}

export class PromMetrics {
  readonly registry: PromClient.Registry;
  private readonly sessionsCreated: PromClient.Counter<'agent'>;
  private readonly prompts: PromClient.Counter<'agent'>;
  private readonly turns: PromClient.Counter<'agent' | 'outcome'>;
  private readonly restarts: PromClient.Counter<'agent'>;
  private readonly permissions: PromClient.Counter<'decision' | 'by'>;
  private readonly sessionAgent = new Map<string, string>();

  constructor(lib: typeof PromClient, gauges: MetricGauges, counts: PlainCounts) {
    const { Counter, Gauge, Registry, collectDefaultMetrics } = lib;
    const registry = (this.registry = new Registry());
    const registers = [registry];
    collectDefaultMetrics({ register: registry, prefix: 'aintegrix_process_' });
    this.sessionsCreated = new Counter({ name: 'aintegrix_sessions_created_total', help: 'Sessions created', labelNames: ['agent'], registers });
    this.prompts = new Counter({ name: 'aintegrix_prompts_total', help: 'Prompts submitted', labelNames: ['agent'], registers });
    this.turns = new Counter({ name: 'aintegrix_turns_total', help: 'Turns ended, by outcome', labelNames: ['agent', 'outcome'], registers });
    this.restarts = new Counter({ name: 'aintegrix_agent_restarts_total', help: 'Agent process restarts', labelNames: ['agent'], registers });
    this.permissions = new Counter({ name: 'aintegrix_permission_decisions_total', help: 'Permission decisions, by decision and who decided', labelNames: ['decision', 'by'], registers });
    new Counter({
      name: 'aintegrix_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
      // the request path only bumps a number; the counter catches up when it is scraped
      collect() {
        for (const c of counts.requests()) {
          if (c.n > c.reported) this.inc(c.labels, c.n - c.reported);
          c.reported = c.n;
        }
      },
    });
    let eventsReported = 0;
    new Counter({
      name: 'aintegrix_events_appended_total',
      help: 'Events appended to the log by this process',
      registers,
      collect() {
        const n = counts.events();
        if (n > eventsReported) this.inc(n - eventsReported);
        eventsReported = n;
      },
    });
    new Gauge({
      name: 'aintegrix_sessions_active',
      help: 'Open sessions, by agent',
      labelNames: ['agent'],
      registers,
      collect() {
        this.reset();
        for (const [agent, n] of Object.entries(gauges.activeSessions())) this.set({ agent }, n);
      },
    });
    new Gauge({
      name: 'aintegrix_stream_clients',
      help: 'Open SSE and WebSocket stream clients',
      registers,
      collect() {
        this.set(gauges.streamClients());
      },
    });
  }

  /** Fold every event of the folded types up to the head (synchronously). */
  foldLog(store: EventStore): void {
    for (const type of FOLDED_TYPES) for (const e of store.iterate({ type })) this.fold(e);
  }

  foldBatch(batch: readonly RecordedEvent[]): void {
    for (const e of batch) if (FOLDED.has(e.type)) this.fold(e);
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
