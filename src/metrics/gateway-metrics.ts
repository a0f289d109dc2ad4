// Prometheus metrics (`GET /metrics`). Counters about sessions, turns, permissions and agents are folds of the log:
// rebuilt from the events of their types (the type index keeps that cheap) and advanced by every commit, so they
// survive restarts. HTTP request counts and the live histograms (LiveHistograms) are per process. Labels have
// bounded cardinality: agent names, turn outcomes, decisions, route patterns — never session ids or tokens.
//
// prom-client and the fold of the log are both loaded on the first scrape, not at boot: boot time stays
// independent of the log's size, and a gateway nobody scrapes never loads the library. Until then the request path
// and the commit listener only bump plain numbers.
import type { EventStore } from '../store/types.js';
import { PromMetrics, type MetricGauges } from './prom-metrics.js';
import { LiveHistograms, type HistogramSeries } from './live-histograms.js';

interface RequestCount {
  labels: { method: string; route: string; status: string };
  n: number;
  reported: number;
  /** the duration series of the request's method and route */
  duration: HistogramSeries;
}

export class GatewayMetrics {
  private prom: Promise<PromMetrics> | undefined;
  private built: PromMetrics | undefined;
  private eventsAppended = 0;
  private readonly live = new LiveHistograms();
  /** method → route pattern → status: three lookups and no string built per request */
  private readonly requestCounts = new Map<string, Map<string, Map<number, RequestCount>>>();

  constructor(
    private readonly store: EventStore,
    private readonly gauges: MetricGauges,
  ) {
    store.onCommitted((batch, commit) => {
      this.eventsAppended += batch.length;
      this.live.observeCommit(batch, commit);
      this.built?.foldBatch(batch);
    });
  }

  /**
   * Per request: three map lookups, an increment and a histogram observation on plain numbers (prom-client's
   * labelled inc and observe hash their labels every time).
   */
  countRequest(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.requestCounts.get(method);
    if (!byRoute) this.requestCounts.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let c = byStatus.get(status);
    if (c) c.n++;
    else {
      const m = method.toUpperCase();
      byStatus.set(status, (c = { labels: { method: m, route, status: String(status) }, n: 1, reported: 0, duration: this.live.http.seriesFor(m, route) }));
    }
    this.live.http.observe(c.duration, seconds);
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
        histograms: () => this.live.all(),
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
