// strategy jury against real gateways and bundled demo agents: the judge (a demo agent answering `/verdict ...`)
// sees the successful answers under shuffled labels and answers a verdict: valid, valid only after the corrective
// re-prompt, garbage twice (fallback), failing or timing out (fallback); above three answers, a bracket of pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { AGENTS, orchestrate, orchestrationEvents } from './helpers.js';

let g: TestGateway;
test.before(async () => {
  g = await startTestGateway({ agents: AGENTS });
});
test.after(() => g.dispose());

/** The judge prompts sent, from the judge sessions' logs. */
function judgePrompts(id: string): string[] {
  const sessions = orchestrationEvents(g, id, 'JudgeRequested').map((e) => (e.data as any).session_id as string);
  const out: string[] = [];
  for (const s of new Set(sessions)) {
    for (const e of g.gw.store.readStream(`session:${s}`)) {
      const msg = (e.data as any).msg;
      if (e.type === 'AcpMessage' && msg?.method === 'session/prompt') out.push(msg.params.prompt.map((b: any) => b.text ?? '').join(''));
    }
  }
  return out;
}

test('a valid verdict: the judge sees the successful answers anonymised in label order and its choice wins', async () => {
  const o = await orchestrate(g, { agents: ['alpha', 'failing', 'beta'], strategy: 'jury', judge: 'judge-beta' });
  assert.equal(o.status, 'completed');
  assert.equal(o.winner.agent, 'beta');
  assert.equal(o.verdict.fallback, false);
  assert.equal(o.verdict.winner, o.winner.label);
  assert.equal(o.verdict.scores[o.winner.label], 9);
  assert.equal(o.judge_mode, 'all');
  const [prompt] = judgePrompts(o.id);
  assert.ok(prompt);
  assert.doesNotMatch(prompt, /alpha\b(?! says)|judge-beta|failing/, 'no agent names, only the answers');
  const labels = [...prompt.matchAll(/<answer label="([A-Z]+)">/g)].map((m) => m[1]);
  const ok = o.results.filter((r: any) => r.status === 'completed').map((r: any) => r.label).sort();
  assert.deepEqual(labels, ok, 'only the successful answers, in label order');
  // the log: the seed and label order, the judge's request and answer, the match, the verdict
  const started = orchestrationEvents(g, o.id, 'OrchestrationStarted')[0]!.data as any;
  assert.deepEqual(started.label_order, o.results.map((r: any) => r.label));
  assert.deepEqual(orchestrationEvents(g, o.id).map((e) => e.type).slice(-6), ['JuryConvened', 'JudgeRequested', 'JudgeAnswered', 'MatchDecided', 'VerdictReached', 'OrchestrationEnded']);
  // the judge session is an ordinary session, closed after its verdict
  const judgeSession = o.matches[0].judge_sessions[0];
  const s = await g.api('GET', `/api/v1/sessions/${judgeSession}`);
  assert.equal(s.body.origin, 'orchestration');
  assert.equal(s.body.status, 'closed');
});

test('a verdict in a fenced json block after prose is parsed', async () => {
  const o = await orchestrate(g, { agents: ['alpha', 'beta'], strategy: 'jury', judge: 'judge-pick' });
  assert.equal(o.verdict.winner, 'B');
  assert.equal(o.verdict.fallback, false);
  assert.equal(o.winner.label, 'B');
});

test('an invalid verdict gets one corrective re-prompt in the same judge session', async () => {
  const o = await orchestrate(g, { agents: ['alpha', 'beta'], strategy: 'jury', judge: 'judge-corrected' });
  assert.equal(o.verdict.fallback, false);
  assert.equal(o.verdict.winner, 'A');
  assert.deepEqual(o.matches[0].attempts.map((a: any) => a.valid), [false, true]);
  assert.match(o.matches[0].attempts[0].problem, /winner must be one of A, B/);
  assert.equal(o.matches[0].judge_sessions.length, 1, 'the same session');
  const prompts = judgePrompts(o.id);
  assert.equal(prompts.length, 2);
  assert.match(prompts[1]!, /could not be used: winner: winner must be one of A, B/);
});

test('garbage twice: the deterministic fallback (first successful candidate in request order) with the reason', async () => {
  const o = await orchestrate(g, { agents: ['failing', 'gamma', 'alpha'], strategy: 'jury', judge: 'judge-garbage' });
  assert.equal(o.status, 'completed');
  assert.equal(o.verdict.fallback, true);
  assert.match(o.verdict.reason, /invalid twice: no JSON object/);
  assert.equal(o.winner.agent, 'gamma');
  assert.deepEqual(o.matches[0].attempts.map((a: any) => a.valid), [false, false]);
});

test('a judge that fails, or times out, falls back the same way', async () => {
  const failed = await orchestrate(g, { agents: ['beta', 'alpha'], strategy: 'jury', judge: 'judge-failing' });
  assert.ok(failed.verdict, JSON.stringify(failed));
  assert.equal(failed.verdict.fallback, true);
  assert.match(failed.verdict.reason, /the judge failed: .*demo failure/);
  assert.equal(failed.winner.agent, 'beta');
  const slow = await orchestrate(g, { agents: ['alpha', 'beta'], strategy: 'jury', judge: 'judge-slow', timeout_secs: 3 });
  assert.ok(slow.verdict, JSON.stringify(slow));
  assert.equal(slow.verdict.fallback, true);
  assert.match(slow.verdict.reason, /no verdict within 3s/);
  assert.equal(slow.winner.agent, 'alpha');
});

test('above three successful answers: a bracket of pairs, every match recorded, winners meet in the next round', async () => {
  const o = await orchestrate(g, { agents: ['alpha', 'beta', 'gamma', 'delta', 'demo'], strategy: 'jury', judge: 'judge-beta' });
  assert.equal(o.judge_mode, 'bracket');
  assert.equal(o.winner.agent, 'beta');
  // 5 answers: round 1 has two matches and a bye, round 2 one match, round 3 the final
  assert.deepEqual(o.matches.map((m: any) => [m.round, m.labels.length]), [[1, 2], [1, 2], [2, 2], [3, 2]]);
  for (const p of judgePrompts(o.id)) assert.equal([...p.matchAll(/<answer label=/g)].length, 2, 'two answers per judge prompt');
  assert.equal(orchestrationEvents(g, o.id, 'MatchDecided').length, 4);
  // judge_mode overrides: all in one prompt
  const all = await orchestrate(g, { agents: ['alpha', 'beta', 'gamma', 'delta'], strategy: 'jury', judge: 'judge-beta', judge_mode: 'all' });
  assert.equal(all.matches.length, 1);
  assert.equal(all.matches[0].labels.length, 4);
  assert.equal(all.winner.agent, 'beta');
});
