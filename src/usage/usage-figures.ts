// What an agent reported about a turn's usage, read tolerantly: the unstable `PromptResponse.usage`
// ({inputTokens, outputTokens, cachedReadTokens?, ...}: this turn's tokens) and the `usage_update` notification
// ({used, size, cost?: {amount, currency}}: the tokens now in the context window and the session's CUMULATIVE
// cost). TurnEnded.usage holds the response's usage with the turn's last usage_update under `context`, or that
// usage_update alone (turn-collector.ts). Agents send nulls and strings where numbers belong (claude-agent-acp's
// `used: null`): anything that is not a finite, non-negative number is "not reported", never guessed.

export interface ReportedCost {
  amount: number;
  currency: string;
}

export interface TurnFigures {
  /** false when the agent reported nothing usable for the turn */
  reported: boolean;
  /** null when the agent reported no token counts for the turn (a usage_update alone carries none) */
  tokens: { input: number; output: number; cached: number } | null;
  /** the session's cumulative cost as last reported during the turn */
  cumulativeCost: ReportedCost | null;
  /** tokens in the context window at the turn's last usage_update */
  contextUsed: number | null;
}

export function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** `{amount, currency}` of a usage_update, or null. */
export function costOf(update: unknown): ReportedCost | null {
  const c = (update as { cost?: unknown } | null | undefined)?.cost as { amount?: unknown; currency?: unknown } | null | undefined;
  if (!c || typeof c !== 'object') return null;
  const amount = count(c.amount);
  if (amount === null || typeof c.currency !== 'string' || c.currency === '' || c.currency.length > 32) return null;
  return { amount, currency: c.currency };
}

/** The figures of a TurnEnded's `usage`. */
export function turnFigures(usage: unknown): TurnFigures {
  if (!usage || typeof usage !== 'object') return { reported: false, tokens: null, cumulativeCost: null, contextUsed: null };
  const u = usage as Record<string, unknown>;
  const input = count(u.inputTokens);
  const output = count(u.outputTokens);
  const tokens = input !== null || output !== null ? { input: input ?? 0, output: output ?? 0, cached: count(u.cachedReadTokens) ?? 0 } : null;
  // the usage_update: nested under `context` next to the response's usage, or the usage itself
  const update = tokens !== null || 'context' in u ? u.context : u;
  const cumulativeCost = costOf(update);
  const contextUsed = count((update as { used?: unknown } | undefined)?.used);
  return { reported: tokens !== null || cumulativeCost !== null || contextUsed !== null, tokens, cumulativeCost, contextUsed };
}

/**
 * The part of a cumulative cost that falls on this turn. A cumulative figure lower than the last one, or in another
 * currency, means the agent started counting afresh (a new process, a new ACP session): the whole figure is new.
 */
export function costIncrement(cumulative: ReportedCost, before: Readonly<Record<string, number>>): number {
  const prev = before[cumulative.currency];
  return prev === undefined || cumulative.amount < prev ? cumulative.amount : cumulative.amount - prev;
}
