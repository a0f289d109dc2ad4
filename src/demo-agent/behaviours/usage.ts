// `/usage IN OUT [COST CURRENCY] [cached=N] [wait=SECONDS]`: scripted usage reporting, as an agent on a metered model
// reports it. A usage_update carries the tokens now in the context window (the session's IN + OUT so far) and, with
// a COST, the session's CUMULATIVE cost (ACP's `cost` is cumulative): this turn's COST plus what earlier turns
// reported. The PromptResponse carries this turn's tokens. `wait=S` then keeps the turn running for up to S seconds
// (a session/cancel ends it at once, answered `cancelled` with the same usage): a turn that went over a budget while
// it ran.
import type { PromptResponse, SessionUpdate } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';
import { CONTEXT_WINDOW_TOKENS } from './protocol-quirks.js';
import { MAX_SLOW_SECONDS } from './streaming.js';

const COUNT = /^\d{1,12}$/;
const AMOUNT = /^\d{1,9}(\.\d{1,9})?$/;
const CURRENCY = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;

interface Script {
  input: number;
  output: number;
  cached: number;
  cost: { amount: number; currency: string } | null;
  waitSeconds: number;
}

function parse(args: readonly string[]): Script | string {
  const positional = args.filter((a) => !a.includes('='));
  const options = new Map(args.filter((a) => a.includes('=')).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as const));
  const [input, output, amount, currency, ...rest] = positional;
  if (!input || !output || !COUNT.test(input) || !COUNT.test(output) || rest.length > 0) return 'IN and OUT must be token counts';
  if (amount !== undefined && (!AMOUNT.test(amount) || !currency || !CURRENCY.test(currency))) return 'COST must be a number followed by a currency';
  const cached = options.get('cached') ?? '0';
  const wait = options.get('wait') ?? '0';
  if (!COUNT.test(cached)) return 'cached= must be a token count';
  if (!/^\d{1,4}$/.test(wait) || Number(wait) > MAX_SLOW_SECONDS) return `wait= must be whole seconds up to ${MAX_SLOW_SECONDS}`;
  if ([...options.keys()].some((k) => k !== 'cached' && k !== 'wait')) return 'options are cached=N and wait=S';
  return {
    input: Number(input),
    output: Number(output),
    cached: Number(cached),
    cost: amount !== undefined ? { amount: Number(amount), currency: currency! } : null,
    waitSeconds: Number(wait),
  };
}

/** The last usage_update this session reported before this turn (its context size and cumulative cost). */
function lastReport(turn: Turn): { used: number; cost: Record<string, number> } {
  const out = { used: 0, cost: {} as Record<string, number> };
  for (const record of turn.history) {
    for (const u of record.updates as (SessionUpdate & { used?: unknown; cost?: { amount?: unknown; currency?: unknown } | null })[]) {
      if (u.sessionUpdate !== 'usage_update') continue;
      if (typeof u.used === 'number') out.used = u.used;
      if (u.cost && typeof u.cost.amount === 'number' && typeof u.cost.currency === 'string') out.cost[u.cost.currency] = u.cost.amount;
    }
  }
  return out;
}

export async function usage(turn: Turn): Promise<PromptResponse> {
  const script = parse(turn.prompt.args);
  if (typeof script === 'string') {
    await sayInPieces(turn, `usage: /usage IN OUT [COST CURRENCY] [cached=N] [wait=SECONDS] (${script})`);
    return turn.finish();
  }
  const before = lastReport(turn);
  const used = before.used + script.input + script.output;
  const cost = script.cost
    ? { amount: Math.round(((before.cost[script.cost.currency] ?? 0) + script.cost.amount) * 1e9) / 1e9, currency: script.cost.currency }
    : undefined;
  await turn.send({ sessionUpdate: 'usage_update', used, size: CONTEXT_WINDOW_TOKENS, ...(cost ? { cost } : {}) });
  await sayInPieces(turn, `usage: reported ${script.input} in, ${script.output} out${cost ? `, ${cost.amount} ${cost.currency} so far` : ''}`);
  if (script.waitSeconds > 0) await turn.sleep(script.waitSeconds * 1000);
  const tokens = { inputTokens: script.input, outputTokens: script.output, totalTokens: script.input + script.output + script.cached };
  return turn.finish({ usage: script.cached > 0 ? { ...tokens, cachedReadTokens: script.cached } : tokens });
}
