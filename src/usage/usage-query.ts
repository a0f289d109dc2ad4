// Queries over the usage ledger: GET /api/v1/usage, the MCP tool acp_usage and each session's `usage`. One
// parameter schema for both surfaces (a bad value is an error naming the parameter), one aggregation.
import { z } from 'zod';
import { parseTimeBound } from '../audit/time-bound.js';
import type { TurnUsage } from './usage-ledger.js';

export const GROUP_KEYS = ['agent', 'model', 'session', 'token', 'day'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

/** A date (`2026-05-01`, midnight UTC), an ISO 8601 date-time with its zone, or epoch milliseconds. */
const timeBound = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseTimeBound(String(v));
  if (typeof ms === 'string') {
    ctx.addIssue({ code: 'custom', message: `${ms}; or a date such as 2026-05-01` });
    return z.NEVER;
  }
  return ms;
});

export const usageQuerySchema = z
  .object({
    agent: z.string().min(1).max(64).optional().describe('only turns of this agent'),
    session: z.string().min(1).max(256).optional().describe('only turns of this session'),
    token: z.string().min(1).max(256).optional().describe('only prompts sent with this API token (its name)'),
    since: timeBound.optional().describe('from this time on (inclusive): a date (2026-05-01), ISO 8601 or epoch ms'),
    until: timeBound.optional().describe('before this time (exclusive): a date, ISO 8601 or epoch ms'),
    group_by: z.enum(GROUP_KEYS).optional().describe('also give the figures per agent, model, session, token or UTC day'),
  })
  .strict()
  .refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, { path: ['until'], message: 'must not be before since' });

export type UsageQuery = z.output<typeof usageQuerySchema>;

export interface UsageFigures {
  prompts: number;
  turns: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost: Record<string, number>;
  /** false when no turn reported any usage (the token and cost figures are then zero because unknown) */
  usage_reported: boolean;
  /** ended turns whose agent reported nothing */
  turns_without_usage: number;
}

export interface UsageReport {
  since: string | null;
  until: string | null;
  totals: UsageFigures;
  groups: ({ key: string | null } & UsageFigures)[];
}

export function emptyFigures(): UsageFigures {
  return { prompts: 0, turns: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost: {}, usage_reported: false, turns_without_usage: 0 };
}

export function addTurn(f: UsageFigures, t: TurnUsage): void {
  f.prompts++;
  if (!t.ended) return;
  f.turns++;
  if (!t.usage_reported) {
    f.turns_without_usage++;
    return;
  }
  f.usage_reported = true;
  f.input_tokens += t.input_tokens;
  f.output_tokens += t.output_tokens;
  f.cached_tokens += t.cached_tokens;
  for (const [currency, amount] of Object.entries(t.cost)) f.cost[currency] = (f.cost[currency] ?? 0) + amount;
}

/** Sums of floating-point costs, cut to what a currency can mean (no 0.036899999999 in a report). */
export function rounded(f: UsageFigures): UsageFigures {
  const cost: Record<string, number> = {};
  for (const [c, n] of Object.entries(f.cost)) cost[c] = Math.round(n * 1e9) / 1e9;
  return { ...f, cost };
}

function keyOf(t: TurnUsage, by: GroupKey): string | null {
  return by === 'day' ? new Date(t.at).toISOString().slice(0, 10) : t[by];
}

export function matches(t: TurnUsage, q: Omit<UsageQuery, 'group_by'>): boolean {
  return (
    (q.agent === undefined || t.agent === q.agent) &&
    (q.session === undefined || t.session === q.session) &&
    (q.token === undefined || t.token === q.token) &&
    (q.since === undefined || t.at >= q.since) &&
    (q.until === undefined || t.at < q.until)
  );
}

/** The report for `q` over `turns` (a turn counts at the time of its prompt). */
export function usageReport(turns: readonly TurnUsage[], q: UsageQuery): UsageReport {
  const totals = emptyFigures();
  const groups = new Map<string | null, UsageFigures>();
  for (const t of turns) {
    if (!matches(t, q)) continue;
    addTurn(totals, t);
    if (q.group_by === undefined) continue;
    const key = keyOf(t, q.group_by);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = emptyFigures()));
    addTurn(g, t);
  }
  return {
    since: q.since === undefined ? null : new Date(q.since).toISOString(),
    until: q.until === undefined ? null : new Date(q.until).toISOString(),
    totals: rounded(totals),
    groups: [...groups].map(([key, f]) => ({ key, ...rounded(f) })),
  };
}

/** The figures of one session's turns (its `usage` on GET /sessions/{id}). */
export function sessionUsage(turns: Iterable<TurnUsage>): UsageFigures {
  const f = emptyFigures();
  for (const t of turns) addTurn(f, t);
  return rounded(f);
}
