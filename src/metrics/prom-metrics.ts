// The prom-client side of GatewayMetrics: the registry, the folds of the log, and the collectors that read the plain
// counts and histograms the hot paths keep and the gauges of live state. Built once, on the first scrape.
import type * as PromClient from 'prom-client';
import type { EventStore, RecordedEvent } from '../store/types.js';
import { LogFold } from './log-fold.js';
import type { PlainHistogram } from './plain-histogram.js';

/** Live state, read on each scrape; each is counted by agent. */
export interface MetricGauges {
  activeSessions: () => Record<string, number>;
  runningTurns: () => Record<string, number>;
  pendingApprovals: () => Record<string, number>;
  agentProcesses: () => Record<string, number>;
  streamClients: () => number;
}

export interface PlainCounts {
  events(): number;
  requests(): Iterable<{ labels: { method: string; route: string; status: string }; n: number; reported: number }>;
  histograms(): PlainHistogram[];
}

// prom-client's default collectors name three gauges `*_total` (a suffix Prometheus keeps for counters, which
// promtool refuses); each is the sum of its labelled gauge (`sum(aintegrix_nodejs_active_handles)`), so they go.
const DEFAULT_GAUGES_DROPPED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export class PromMetrics {
  readonly registry: PromClient.Registry;
  private readonly log: LogFold;

  constructor(lib: typeof PromClient, gauges: MetricGauges, counts: PlainCounts) {
    const { Counter, Gauge, Registry, collectDefaultMetrics } = lib;
    const registry = (this.registry = new Registry());
    const registers = [registry];
    // their names already start with process_ or nodejs_: the prefix is only ours
    collectDefaultMetrics({ register: registry, prefix: 'aintegrix_' });
    for (const name of DEFAULT_GAUGES_DROPPED) registry.removeSingleMetric(`aintegrix_${name}`);
    this.log = new LogFold(lib, registers);
    for (const h of counts.histograms()) registry.registerMetric(h.promMetric() as never);
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
    // Features not built yet: their counters exist, at 0, so dashboards and alerts can be written against them now.
    const webhooks = new Counter({ name: 'aintegrix_webhook_deliveries_total', help: 'Webhook deliveries received, by result (no webhook handling yet: always 0)', labelNames: ['result'], registers });
    for (const result of ['accepted', 'rejected']) webhooks.inc({ result }, 0);

    const byAgent = (name: string, help: string, read: () => Record<string, number>) =>
      new Gauge({
        name,
        help,
        labelNames: ['agent'],
        registers,
        collect() {
          this.reset();
          for (const [agent, n] of Object.entries(read())) this.set({ agent }, n);
        },
      });
    byAgent('aintegrix_sessions_active', 'Open sessions, by agent', gauges.activeSessions);
    byAgent('aintegrix_turns_running', 'Turns running now, by agent', gauges.runningTurns);
    byAgent('aintegrix_approvals_pending', 'Approvals waiting for a decision, by agent', gauges.pendingApprovals);
    byAgent('aintegrix_agent_processes', 'Agent processes running, by agent', gauges.agentProcesses);
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
    this.log.foldLog(store);
  }

  foldBatch(batch: readonly RecordedEvent[]): void {
    this.log.foldBatch(batch);
  }
}
