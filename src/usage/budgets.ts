// Budgets (config `budgets`): may a prompt start, and has a running turn gone over? Every figure is read from the
// usage ledger, a fold of the log, so budgets hold across restarts. Windows: prompts per rolling hour, cost per
// UTC day (a turn counts on the day and hour of its prompt), tokens per session (never resets). A prompt is refused
// when a figure has reached its limit; a running turn is stopped when one is past it. While a turn runs, only what
// the agent reported by usage_update is known: the session's cumulative cost and the tokens in its context window
// (a lower bound of the tokens the session has used: each of them was sent at least once).
import type { BudgetConfig, BudgetsConfig } from '../config/schema.js';
import type { SessionUsage, TurnUsage, UsageLedger } from './usage-ledger.js';
import { costIncrement } from './usage-figures.js';

export type BudgetKind = 'max_cost_per_day' | 'max_tokens_per_session' | 'max_prompts_per_hour';

export interface BudgetBreach {
  budget: { scope: 'agent' | 'token' | 'session'; name: string | null; kind: BudgetKind; limit: number; currency?: string };
  usage: number;
  resets_at: string | null;
}

interface Applicable {
  scope: 'agent' | 'token' | 'session';
  name: string | null;
  config: BudgetConfig;
  covers: (t: Pick<TurnUsage, 'session' | 'agent' | 'token'>) => boolean;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export class Budgets {
  /**
   * Whether any budget is configured. Without one, neither check touches the ledger: reading it folds the whole log
   * once and then keeps it folding every commit, work a gateway without budgets must not do on each prompt.
   */
  private readonly configured: boolean;

  constructor(
    private readonly config: BudgetsConfig,
    private readonly ledger: UsageLedger,
    private readonly now: () => number = Date.now,
  ) {
    this.configured = config.session !== undefined || Object.keys(config.agents).length > 0 || Object.keys(config.tokens).length > 0;
  }

  /** The first budget a new prompt of `token` on session `sessionId` would start over, or null. */
  beforePrompt(sessionId: string, token: string | null): BudgetBreach | null {
    if (!this.configured) return null;
    const s = this.ledger.session(sessionId);
    if (!s) return null;
    const now = this.now();
    for (const b of this.applicable(sessionId, s.agent, token)) {
      const c = b.config;
      if (c.max_prompts_per_hour !== undefined) {
        const inHour = this.turnsSince(now - HOUR, b);
        if (inHour.length >= c.max_prompts_per_hour) {
          // the window frees a prompt when the oldest of the last `limit` prompts leaves it
          const freeing = inHour[inHour.length - c.max_prompts_per_hour]!;
          return breach(b, 'max_prompts_per_hour', c.max_prompts_per_hour, inHour.length, iso(freeing.at + HOUR));
        }
      }
      const over = this.costOver(b, now, (usage, limit) => usage >= limit) ?? this.tokensOver(b, s, (usage, limit) => usage >= limit);
      if (over) return over;
    }
    return null;
  }

  /** The first budget the running turn of `sessionId` has gone past, or null. */
  whileRunning(sessionId: string): BudgetBreach | null {
    if (!this.configured) return null;
    const s = this.ledger.session(sessionId);
    if (!s?.running) return null;
    const token = s.turns.get(s.running.turn)?.token ?? null;
    const now = this.now();
    for (const b of this.applicable(sessionId, s.agent, token)) {
      const over = this.costOver(b, now, (usage, limit) => usage > limit) ?? this.tokensOver(b, s, (usage, limit) => usage > limit);
      if (over) return over;
    }
    return null;
  }

  private applicable(sessionId: string, agent: string, token: string | null): Applicable[] {
    const out: Applicable[] = [];
    if (this.config.session) out.push({ scope: 'session', name: null, config: this.config.session, covers: (t) => t.session === sessionId });
    const a = Object.hasOwn(this.config.agents, agent) ? this.config.agents[agent] : undefined;
    if (a) out.push({ scope: 'agent', name: agent, config: a, covers: (t) => t.agent === agent });
    const k = token !== null && Object.hasOwn(this.config.tokens, token) ? this.config.tokens[token] : undefined;
    if (k) out.push({ scope: 'token', name: token, config: k, covers: (t) => t.token === token });
    return out;
  }

  /** Turns of `b` whose prompt came at or after `from`, oldest first (the ledger is in prompt order). */
  private turnsSince(from: number, b: Applicable): TurnUsage[] {
    const turns = this.ledger.turns;
    const out: TurnUsage[] = [];
    for (let i = turns.length - 1; i >= 0 && turns[i]!.at >= from; i--) if (b.covers(turns[i]!)) out.push(turns[i]!);
    return out.reverse();
  }

  private costOver(b: Applicable, now: number, over: (usage: number, limit: number) => boolean): BudgetBreach | null {
    const limits = b.config.max_cost_per_day;
    if (!limits) return null;
    const dayStart = now - (now % DAY);
    const spent: Record<string, number> = {};
    for (const t of this.turnsSince(dayStart, b)) for (const [c, n] of Object.entries(t.cost)) spent[c] = (spent[c] ?? 0) + n;
    // what running turns have reported so far (their TurnEnded has not settled it yet)
    for (const [id, s] of this.ledger.runningSessions()) {
      const t = s.turns.get(s.running!.turn);
      const cost = s.running!.cost;
      if (!t || !cost || t.at < dayStart || !b.covers({ session: id, agent: s.agent, token: t.token })) continue;
      spent[cost.currency] = (spent[cost.currency] ?? 0) + costIncrement(cost, s.cumulativeCost);
    }
    for (const [currency, limit] of Object.entries(limits)) {
      const usage = Math.round((spent[currency] ?? 0) * 1e9) / 1e9;
      if (over(usage, limit)) return breach(b, 'max_cost_per_day', limit, usage, iso(dayStart + DAY), currency);
    }
    return null;
  }

  private tokensOver(b: Applicable, s: Readonly<SessionUsage>, over: (usage: number, limit: number) => boolean): BudgetBreach | null {
    const limit = b.config.max_tokens_per_session;
    if (limit === undefined) return null;
    const usage = Math.max(s.tokens, s.contextUsed, s.running?.contextUsed ?? 0);
    return over(usage, limit) ? breach(b, 'max_tokens_per_session', limit, usage, null) : null;
  }
}

function breach(b: Applicable, kind: BudgetKind, limit: number, usage: number, resetsAt: string | null, currency?: string): BudgetBreach {
  return { budget: { scope: b.scope, name: b.name, kind, limit, ...(currency ? { currency } : {}) }, usage, resets_at: resetsAt };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `session max_tokens_per_session (1000)`, `agent demo max_cost_per_day (5 USD)`: how messages and events name a budget. */
export function budgetLabel(b: BudgetBreach['budget']): string {
  const who = b.scope === 'session' ? 'session' : `${b.scope} ${b.name}`;
  return `${who} ${b.kind} (${b.limit}${b.currency ? ` ${b.currency}` : ''})`;
}

export function breachMessage(r: BudgetBreach): string {
  const unit = r.budget.currency ? ` ${r.budget.currency}` : '';
  const when = r.resets_at ? `; it resets at ${r.resets_at}` : '; it does not reset';
  return `budget exceeded: ${budgetLabel(r.budget)}, usage ${r.usage}${unit}${when}`;
}
