// Medians, percentiles and per-round ratios. Every figure is the median of its rounds, and every comparison is a
// ratio computed inside one round (against a baseline run in that round), then the median of those ratios: the
// machine is noisy (2 shared cores), so a ratio of two medians taken at different times would mix in the noise.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile of an ascending array (p in 0..1). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** Summary of latencies (any unit; the caller's). */
export function summarize(latencies: readonly number[]): LatencySummary {
  const s = [...latencies].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    p50: percentile(s, 0.5),
    p90: percentile(s, 0.9),
    p99: percentile(s, 0.99),
    mean: s.length ? sum / s.length : NaN,
    max: s.length ? s[s.length - 1]! : NaN,
  };
}

/** Run `fn` for rounds 1..n, one after the other. */
export async function inRounds<T>(n: number, fn: (round: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let r = 1; r <= n; r++) out.push(await fn(r));
  return out;
}

/** Round a number to `digits` significant digits (for tables and JSON that people read). */
export function sig(x: number, digits = 3): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}
