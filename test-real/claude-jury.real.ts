// An orchestration jury of real agents: two claude-agent-acp candidates and a claude-agent-acp judge behind the
// gateway, against the fake Anthropic API (which answers a judge prompt with a verdict naming the last label shown).
// The candidates' answers are the model's, the judge sees them anonymised and its verdict is parsed and wins.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAKE_TEXT_PREFIX, startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import { startRealGateway, writeClaudeConfig, type RealGateway, type RealSetup } from './real-gateway.js';

let fake: FakeAnthropic;
let setup: RealSetup;
let g: RealGateway;

before(async () => {
  fake = await startFakeAnthropic();
  setup = writeClaudeConfig({ agents: { claude: fake.url, judge: fake.url } });
  g = await startRealGateway(setup);
});

after(async () => {
  await g?.close();
  await fake?.close();
  setup?.dispose();
});

test('jury: two claude-agent-acp candidates, a claude-agent-acp judge; the parsed verdict picks the winner', { timeout: 300_000 }, async () => {
  const r = await g.api('POST', '/api/v1/orchestrate', {
    agents: ['claude', 'claude'],
    strategy: 'jury',
    judge: 'judge',
    messages: [{ role: 'user', content: 'name a colour' }],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const o = r.body;
  assert.equal(o.status, 'completed', JSON.stringify(o));
  for (const c of o.results) {
    assert.equal(c.status, 'completed');
    assert.equal(c.stop_reason, 'end_turn');
    assert.equal(c.text, `${FAKE_TEXT_PREFIX}name a colour`);
    const s = await g.api('GET', `/api/v1/sessions/${c.session_id}`);
    assert.equal(s.body.origin, 'orchestration');
    assert.equal(s.body.agent_info?.name, '@zed-industries/claude-agent-acp');
  }
  // the judge saw both answers under labels A and B and answered the last one: a real verdict, not the fallback
  assert.equal(o.verdict.fallback, false, JSON.stringify(o.verdict));
  assert.equal(o.verdict.winner, 'B');
  assert.equal(o.winner.label, 'B');
  assert.deepEqual(o.verdict.scores, { A: 4, B: 8 });
  assert.equal(o.matches.length, 1);
  assert.deepEqual(o.matches[0].attempts.map((a: { valid: boolean }) => a.valid), [true]);
  assert.ok(fake.requests.some((q) => q.answer === 'verdict'), 'the judge prompt reached the model');
  const judgeSession = await g.api('GET', `/api/v1/sessions/${o.matches[0].judge_sessions[0]}`);
  assert.equal(judgeSession.body.agent, 'judge');
  assert.equal(judgeSession.body.origin, 'orchestration');
});
