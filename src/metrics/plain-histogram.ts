// A histogram kept in plain numbers: each label set is a series object with a count per bucket, a sum and a count.
// Hot paths (every HTTP request, every store commit) hold on to their series and observe with a short scan over the
// bounds and three additions: no label hashing, no allocation (prom-client's labelled observe hashes its labels on
// every call). prom-client reads the series on a scrape through `promMetric()`, a metric object its registry takes
// like its own.

export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** non-cumulative: counts[i] observations fell in (bounds[i-1], bounds[i]]; the last slot is above every bound */
  readonly counts: number[];
  sum: number;
  count: number;
}

export class PlainHistogram {
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** upper bounds, ascending; +Inf is implied */
    readonly bounds: readonly number[],
  ) {
    for (let i = 1; i < bounds.length; i++) if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`${name}: bounds must ascend`);
  }

  /** The series of one label set (values in labelNames order), created on first use: call once, keep the handle. */
  seriesFor(...values: string[]): HistogramSeries {
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''));
      s = { labels, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  observe(s: HistogramSeries, value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  /** Shorthand for paths that are not hot (folds of the log). */
  observeWith(values: readonly string[], value: number): void {
    this.observe(this.seriesFor(...values), value);
  }

  allSeries(): IterableIterator<HistogramSeries> {
    return this.series.values();
  }

  /** What prom-client's Registry.registerMetric expects of a metric: a name, and `get()` answering its samples. */
  promMetric() {
    const h = this;
    return {
      name: h.name,
      help: h.help,
      type: 'histogram' as const,
      aggregator: 'sum' as const,
      get() {
        const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
        for (const s of h.series.values()) {
          let cumulative = 0;
          for (let i = 0; i <= h.bounds.length; i++) {
            cumulative += s.counts[i]!;
            const le = i < h.bounds.length ? h.bounds[i]! : '+Inf';
            values.push({ metricName: `${h.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
          }
          values.push({ metricName: `${h.name}_sum`, labels: s.labels, value: s.sum });
          values.push({ metricName: `${h.name}_count`, labels: s.labels, value: s.count });
        }
        return { name: h.name, help: h.help, type: 'histogram', aggregator: 'sum', values };
      },
    };
  }
}
