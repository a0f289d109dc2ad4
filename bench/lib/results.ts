// The shape of a figure's result, the table the bench prints and bench/results.json.
import { writeFileSync } from 'node:fs';
import { median, sig } from './stats.js';
import type { ProfileSummary } from './cpu-profile.js';

export interface Baseline {
  name: string;
  value: number;
  unit: string;
}

/** One round's measurement: the value, the baseline measured in the same round, and their ratio. */
export interface RoundValue {
  value: number;
  baseline?: number;
  ratio?: number;
}

/**
 * The target of a figure: the ratio against the baseline at most / at least `limit`, or the value itself at most
 * `limit` (absolute figures).
 */
export type Target = { kind: 'ratio_max' | 'ratio_min' | 'value_max'; limit: number; text: string };

export interface FigureRow {
  figure: string;
  value: number;
  unit: string;
  baseline: Baseline | null;
  /** median of the per-round ratios (value / baseline) */
  ratio: number | null;
  rounds: RoundValue[];
  target: string | null;
  met: boolean | null;
  notes: string[];
  /** what generated the load, where it matters (wrk | node) */
  generator?: string;
  profile?: ProfileSummary;
}

/** Build a row from per-round values: medians of values, of baselines and of ratios, and the target check. */
export function row(
  figure: string,
  unit: string,
  rounds: RoundValue[],
  o: { baselineName?: string; baselineUnit?: string; target?: Target; notes?: string[]; generator?: string } = {},
): FigureRow {
  const value = median(rounds.map((r) => r.value));
  const baselines = rounds.filter((r) => r.baseline !== undefined).map((r) => r.baseline!);
  const ratios = rounds.filter((r) => r.ratio !== undefined).map((r) => r.ratio!);
  const ratio = ratios.length ? median(ratios) : null;
  let met: boolean | null = null;
  const notes = [...(o.notes ?? [])];
  if (o.target) {
    const t = o.target;
    const meets = (v: number | undefined, r: number | undefined): boolean | null =>
      t.kind === 'value_max' ? (v === undefined ? null : v <= t.limit) : r === undefined || r === null ? null : t.kind === 'ratio_max' ? r <= t.limit : r >= t.limit;
    met = meets(value, ratio ?? undefined);
    // a median can hide a bimodal figure: say how many rounds were on the other side of the target
    const split = rounds.map((r) => meets(r.value, r.ratio)).filter((x) => x !== null && x !== met).length;
    if (rounds.length > 1 && split > 0) notes.push(`${split} of ${rounds.length} rounds ${met ? 'missed' : 'met'} the target on their own`);
  }
  return {
    figure,
    value: sig(value, 4),
    unit,
    baseline: baselines.length && o.baselineName ? { name: o.baselineName, value: sig(median(baselines), 4), unit: o.baselineUnit ?? unit } : null,
    ratio: ratio === null ? null : sig(ratio, 3),
    rounds: rounds.map((r) => ({
      value: sig(r.value, 4),
      ...(r.baseline !== undefined ? { baseline: sig(r.baseline, 4) } : {}),
      ...(r.ratio !== undefined ? { ratio: sig(r.ratio, 3) } : {}),
    })),
    target: o.target?.text ?? null,
    met,
    notes,
    ...(o.generator ? { generator: o.generator } : {}),
  };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e6) return `${sig(x / 1e6, 3)} M`;
  if (a >= 1e4) return `${sig(x / 1e3, 3)} k`;
  return String(sig(x, 3));
}

export function table(rows: readonly FigureRow[]): string {
  const head = ['figure', 'value', 'unit', 'baseline', 'ratio', 'target', 'ok?'];
  const body = rows.map((r) => [
    r.figure,
    fmt(r.value),
    r.unit,
    r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.baseline.unit}` : '—',
    r.ratio === null ? '—' : `${r.ratio}`,
    r.target ?? '—',
    r.met === null ? '—' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)].join('\n');
}


export function writeResults(path: string, rows: readonly FigureRow[]): void {
  writeFileSync(path, JSON.stringify(rows, null, 2) + '\n');
}
