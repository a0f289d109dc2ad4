// Prometheus metrics (`GET /metrics`). Counters about sessions, turns, permissions and agents are folds of the log:
// rebuilt from the events of their types (the type index keeps that cheap) and advanced by every commit, so they
// survive restarts. HTTP request counts are per process. Labels have bounded cardinality: agent names, turn
// outcomes, decisions, route patterns — never session ids.
//
// prom-client and the fold of the log are both loaded on the first scrape, not at boot: boot time stays
// independent of the log's size, and a gateway nobody scrapes never loads the library. Until then the request path
// and the commit listener only bump plain numbers.
import type { EventStore } from '../store/types.js';
import { PromMetrics, type MetricGauges } from './prom-metrics.js';

interface RequestCount {
  labels: { method: string; route: string; status: string };
  n: number;
  reported: number;
}

export class GatewayMetrics {
  private prom: Promise<PromMetrics> | undefined;
  private built: PromMetrics | undefined;
  private eventsAppended = 0;
  /** method → route pattern → status: three lookups and no string built per request */
  private readonly requestCounts = new Map<string, Map<string, Map<number, RequestCount>>>();

  constructor(
    private readonly store: EventStore,
    private readonly gauges: MetricGauges,
  ) {
    store.onCommitted((batch) => {
      this.eventsAppended += batch.length;
      this.built?.foldBatch(batch);
    });
  }

  /** Per request: one map lookup and an increment (prom-client's labelled inc hashes its labels every time). */
  countRequest(method: string, route: string, status: number): void {
    let byRoute = this.requestCounts.get(method);
    if (!byRoute) this.requestCounts.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    const c = byStatus.get(status);
    if (c) c.n++;
    else byStatus.set(status, { labels: { method: method.toUpperCase(), route, status: String(status) }, n: 1, reported: 0 });
  }

  private *allRequestCounts(): IterableIterator<RequestCount> {
    for (const byRoute of this.requestCounts.values()) for (const byStatus of byRoute.values()) yield* byStatus.values();
  }

  async render(): Promise<{ text: string; contentType: string }> {
    const prom = await this.load();
    return { text: await prom.registry.metrics(), contentType: prom.registry.contentType };
  }

  private load(): Promise<PromMetrics> {
    return (this.prom ??= import('prom-client').then((lib) => {
      const counts = {
        events: () => this.eventsAppended,
        requests: () => this.allRequestCounts(),
      };
      // Synchronously from here: the fold reads the log up to the head, and commits after it are folded by the
      // listener (`built` is set in the same tick), so nothing is counted twice or missed.
      const prom = new PromMetrics(lib, this.gauges, counts);
      prom.foldLog(this.store);
      this.built = prom;
      return prom;
    }));
  }
}
