// The `budgets` section: what it accepts (any subset of the three limits, per currency for cost) and the errors that
// name the key of a bad value.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ConfigError, loadConfigText } from '../../src/config/index.js';

const AGENTS = 'agents:\n  demo: {command: x}\n';

function load(yaml: string) {
  return loadConfigText(AGENTS + yaml, '/tmp/budgets.yaml', {}).config;
}

function problem(yaml: string): string {
  try {
    load(yaml);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

test('budgets: none by default; any subset per scope', () => {
  assert.deepEqual(load('').budgets, { agents: {}, tokens: {} });
  const c = load('budgets:\n  session: {max_tokens_per_session: 1000}\n  agents:\n    demo: {max_cost_per_day: {USD: 5, EUR: 4.5}}\n  tokens:\n    ci: {max_prompts_per_hour: "20"}\n');
  assert.deepEqual(c.budgets, {
    session: { max_tokens_per_session: 1000 },
    agents: { demo: { max_cost_per_day: { USD: 5, EUR: 4.5 } } },
    tokens: { ci: { max_prompts_per_hour: 20 } },
  });
});

test('budgets: bad values name their key', () => {
  assert.match(problem('budgets:\n  agents:\n    nobody: {max_prompts_per_hour: 1}\n'), /budgets\.agents\.nobody: unknown agent "nobody"/);
  assert.match(problem('budgets:\n  session: {max_cost_per_day: 5}\n'), /budgets\.session\.max_cost_per_day: expected a map/);
  assert.match(problem('budgets:\n  session: {max_cost_per_day: {USD: -1}}\n'), /budgets\.session\.max_cost_per_day\.USD: expected a positive number/);
  assert.match(problem('budgets:\n  session: {max_tokens_per_session: 0}\n'), /budgets\.session\.max_tokens_per_session: /);
  assert.match(problem('budgets:\n  session: {max_turns: 3}\n'), /budgets\.session\.max_turns: unknown key "max_turns"/);
});
