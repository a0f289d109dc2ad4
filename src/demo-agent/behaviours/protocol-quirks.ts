// What real agents do that clients must survive: updates outside the schema (/unknown), plan + usage
// reporting (/plan), and dying in the middle of a turn (/exit).
import type { PlanEntry, PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';

export const DEFAULT_EXIT_CODE = 3;
export const CONTEXT_WINDOW_TOKENS = 200_000;

export const PLAN_ENTRIES: PlanEntry[] = [
  { content: 'Read the prompt', priority: 'high', status: 'completed' },
  { content: 'Write the answer', priority: 'medium', status: 'in_progress' },
  { content: 'Check the answer', priority: 'low', status: 'pending' },
];

export const PLAN_USAGE = { inputTokens: 1000, outputTokens: 234, totalTokens: 1234 } as const;
export const PLAN_COST = { amount: 0.0123, currency: 'USD' } as const;

/**
 * A `session/update` of an unknown kind and a `usage_update` with `"used": null` (exactly what
 * claude-agent-acp 0.23.1 sends). Written raw: the SDK's types forbid both, and SDK clients drop them.
 */
export async function unknown(turn: Turn): Promise<PromptResponse> {
  const notify = (update: Record<string, unknown>): Promise<void> =>
    turn.raw({ jsonrpc: '2.0', method: 'session/update', params: { sessionId: turn.sessionId, update } });
  await notify({ sessionUpdate: 'future_kind', futureField: 'from a newer protocol', details: { level: 1 } });
  await notify({ sessionUpdate: 'usage_update', used: null, size: CONTEXT_WINDOW_TOKENS });
  await sayInPieces(turn, 'unknown: sent future_kind and usage_update with used=null');
  return turn.finish();
}

/** A 3-entry plan, a usage_update with a cost, and `usage` in the PromptResponse. */
export async function plan(turn: Turn): Promise<PromptResponse> {
  await turn.send({ sessionUpdate: 'plan', entries: PLAN_ENTRIES.map((e) => ({ ...e })) });
  await turn.send({
    sessionUpdate: 'usage_update',
    used: PLAN_USAGE.totalTokens,
    size: CONTEXT_WINDOW_TOKENS,
    cost: { ...PLAN_COST },
  });
  await sayInPieces(turn, `plan: ${PLAN_ENTRIES.length} entries`);
  return turn.finish({ usage: { ...PLAN_USAGE } });
}

/** `/exit [CODE]`: one chunk, a line on stderr, then the process exits without answering the prompt. */
export async function exit(turn: Turn): Promise<PromptResponse> {
  const arg = turn.prompt.args[0];
  const code = arg !== undefined && /^\d+$/.test(arg) && Number(arg) <= 255 ? Number(arg) : DEFAULT_EXIT_CODE;
  await turn.say(`exiting with code ${code}`);
  await turn.flushToOs();
  process.stderr.write(`demo agent: exiting mid-turn with code ${code} (as asked by /exit)\n`, () => process.exit(code));
  // Never settles: the process ends before the prompt could be answered.
  return new Promise<PromptResponse>(() => undefined);
}
