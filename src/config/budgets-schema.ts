// The `budgets` section of the config (README: Usage and budgets), checked like every section: strict, each key
// with its expected form. Agent names are checked against `agents` in cross-check.ts.
import { z } from 'zod';
import { map, optional, positiveInt, positiveNumber, section } from './fields.js';

/**
 * Budgets (src/usage/budgets.ts): limits on what agents, API tokens and sessions may spend. Each budget is any subset
 * of: `max_cost_per_day` (per currency as the agent reports it, e.g. {USD: 5}; per UTC day), `max_tokens_per_session`
 * (input + output tokens of one session, all its turns), `max_prompts_per_hour` (in the last 60 minutes).
 * `agents.<name>` counts everything of that agent (its tokens budget caps each of its sessions), `tokens.<name>`
 * everything that API token prompted (its tokens budget caps each session it prompts), `session` every session alone.
 */
const currencyCode = () => z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,31}$/, { error: () => 'expected a currency code such as USD' });
const budgetSchema = section({
  max_cost_per_day: optional(map(currencyCode(), positiveNumber())),
  max_tokens_per_session: optional(positiveInt()),
  max_prompts_per_hour: optional(positiveInt()),
});
export const budgetsSchema = section({
  session: optional(budgetSchema),
  agents: map(z.string().min(1, { error: () => 'expected an agent name' }), budgetSchema).default(() => ({})),
  tokens: map(z.string().min(1, { error: () => 'expected a token name' }), budgetSchema).default(() => ({})),
});

export type BudgetConfig = z.output<typeof budgetSchema>;
