// Reading what agents report, tolerantly: malformed fields count as not reported, never as numbers; a cumulative
// cost becomes the turn's increment, and a lower figure or another currency is a fresh count.
import assert from 'node:assert/strict';
import test from 'node:test';
import { costIncrement, turnFigures } from '../../src/usage/usage-figures.js';

test('turn figures from PromptResponse.usage and the last usage_update', () => {
  assert.deepEqual(turnFigures({ inputTokens: 10, outputTokens: 2, cachedReadTokens: 3, context: { used: 15, size: 100, cost: { amount: 0.5, currency: 'USD' } } }), {
    reported: true,
    tokens: { input: 10, output: 2, cached: 3 },
    cumulativeCost: { amount: 0.5, currency: 'USD' },
    contextUsed: 15,
  });
  // a usage_update alone (no token counts in the answer)
  assert.deepEqual(turnFigures({ used: 40, size: 100, cost: { amount: 1, currency: 'EUR' } }), {
    reported: true,
    tokens: null,
    cumulativeCost: { amount: 1, currency: 'EUR' },
    contextUsed: 40,
  });
  // claude-agent-acp's `used: null` with a cost: the cost counts, the null does not become 0
  assert.deepEqual(turnFigures({ inputTokens: 12, outputTokens: 5, context: { used: null, size: 200000, cost: { amount: 0.01, currency: 'USD' } } }).contextUsed, null);
});

test('malformed or missing reports are not reported', () => {
  const nothing = { reported: false, tokens: null, cumulativeCost: null, contextUsed: null };
  assert.deepEqual(turnFigures(undefined), nothing);
  assert.deepEqual(turnFigures(null), nothing);
  assert.deepEqual(turnFigures('12 tokens'), nothing);
  assert.deepEqual(turnFigures({ used: null, size: 200000 }), nothing, 'the /unknown usage_update');
  assert.deepEqual(turnFigures({ inputTokens: '10', outputTokens: -1, cost: { amount: 'much', currency: 'USD' } }), nothing);
  assert.deepEqual(turnFigures({ used: 5, cost: { amount: 1, currency: '' } }).cumulativeCost, null);
  assert.deepEqual(turnFigures({ inputTokens: Number.NaN, outputTokens: 3 }).tokens, { input: 0, output: 3, cached: 0 });
});

test('cost increments of a cumulative figure', () => {
  assert.equal(costIncrement({ amount: 0.75, currency: 'USD' }, { USD: 0.5 }), 0.25);
  assert.equal(costIncrement({ amount: 0.2, currency: 'USD' }, { USD: 0.5 }), 0.2, 'lower: the agent counts afresh');
  assert.equal(costIncrement({ amount: 3, currency: 'EUR' }, { USD: 0.5 }), 3, 'first figure in a currency');
});
