// The orchestration kind without a server: given events → when command → then events, through XState's pure
// transition() and the decider; the verdict parsing rules; the seeded labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { isRejection } from '../../src/actors/actor-kind.js';
import { decideOrchestration } from '../../src/orchestrations/orchestration-decide.js';
import { orchestrationMachine, type OrchestrationEvent } from '../../src/orchestrations/orchestration-machine.js';
import { extractJson, parseVerdict } from '../../src/orchestrations/verdict.js';
import { labelAt, shuffledLabels } from '../../src/orchestrations/labels.js';

type State = SnapshotFrom<typeof orchestrationMachine>;

function given(...events: OrchestrationEvent[]): { state: State; effects: string[] } {
  let [state] = initialTransition(orchestrationMachine);
  const effects: string[] = [];
  for (const e of events) {
    const [next, actions] = transition(orchestrationMachine, state, e);
    state = next;
    for (const a of actions as { type: string; params?: unknown }[]) {
      if (a.type === 'xstate.emit') effects.push((a.params as { event: { type: string } }).event.type);
    }
  }
  return { state, effects };
}

const started = (strategy: 'parallel' | 'race' | 'jury', n = 3): OrchestrationEvent => ({
  type: 'OrchestrationStarted',
  id: 'o1',
  strategy,
  candidates: Array.from({ length: n }, (_, i) => ({ label: labelAt(i), agent: `a${i}` })),
  judge: strategy === 'jury' ? 'judge' : null,
  judge_mode: null,
  seed: 1,
  label_order: Array.from({ length: n }, (_, i) => labelAt(i)),
  messages: [],
  model: null,
  timeout_secs: null,
  workspace_root: null,
});

const ended = (label: string, status: 'completed' | 'failed' | 'cancelled' = 'completed') => ({
  label,
  status,
  stop_reason: status === 'completed' ? 'end_turn' : status === 'cancelled' ? 'cancelled' : null,
  text: `answer ${label}`,
  duration_ms: 1,
  error: status === 'failed' ? { code: 'agent_error', message: `boom ${label}` } : null,
});

test('race: the first end_turn appends RaceWon naming the others to cancel; the last end completes with the winner', () => {
  const { state } = given(started('race'), { type: 'CandidateEnded', ...ended('A', 'failed') });
  const d = decideOrchestration({ type: 'endCandidate', result: ended('B') }, state);
  assert.ok(!isRejection(d));
  assert.deepEqual(d.map((e) => e.type), ['CandidateEnded', 'RaceWon']);
  assert.deepEqual(d[1]!.data, { label: 'B', cancelled: ['C'] });
  const after = given(started('race'), { type: 'CandidateEnded', ...ended('A', 'failed') }, { type: 'CandidateEnded', ...ended('B') }, { type: 'RaceWon', label: 'B', cancelled: ['C'] });
  const last = decideOrchestration({ type: 'endCandidate', result: ended('C', 'cancelled') }, after.state);
  assert.ok(!isRejection(last));
  assert.deepEqual(last.map((e) => e.type), ['CandidateEnded', 'OrchestrationEnded']);
  assert.deepEqual(last[1]!.data, { status: 'completed', winner: 'B' });
  // a candidate that already ended adds nothing
  assert.deepEqual(decideOrchestration({ type: 'endCandidate', result: ended('A') }, after.state), []);
});

test('effects: started runs every candidate; RaceWon cancels; JuryConvened asks the judge; ended and deleted', () => {
  const { effects } = given(
    started('jury', 2),
    { type: 'CandidateEnded', ...ended('A') },
    { type: 'CandidateEnded', ...ended('B') },
    { type: 'JuryConvened', labels: ['A', 'B'], judge_mode: 'all' },
    { type: 'OrchestrationEnded', status: 'completed', winner: 'A' },
    { type: 'OrchestrationDeleted' },
  );
  assert.deepEqual(effects, ['effect.runCandidates', 'effect.judge', 'effect.ended', 'effect.cleanup']);
});

test('jury: two or more successes convene the jury (bracket above three); one wins alone; none fails', () => {
  const four = given(started('jury', 4), ...['A', 'B', 'C'].map((l) => ({ type: 'CandidateEnded' as const, ...ended(l) })));
  const d = decideOrchestration({ type: 'endCandidate', result: ended('D') }, four.state);
  assert.ok(!isRejection(d));
  assert.deepEqual(d[1], { type: 'JuryConvened', data: { labels: ['A', 'B', 'C', 'D'], judge_mode: 'bracket' } });
  const one = given(started('jury', 2), { type: 'CandidateEnded', ...ended('A', 'failed') });
  const alone = decideOrchestration({ type: 'endCandidate', result: ended('B') }, one.state);
  assert.ok(!isRejection(alone));
  assert.deepEqual(alone.map((e) => e.type), ['CandidateEnded', 'VerdictReached', 'OrchestrationEnded']);
  assert.equal((alone[2]!.data as any).winner, 'B');
  assert.equal((alone[1]!.data as any).fallback, true);
  const none = decideOrchestration({ type: 'endCandidate', result: ended('B', 'failed') }, one.state);
  assert.ok(!isRejection(none));
  assert.equal((none[1]!.data as any).status, 'failed');
  assert.match((none[1]!.data as any).reason, /boom A.*boom B/);
});

test('interrupt then resume: running candidates are interrupted and re-run; a judging jury resumes its judge', () => {
  const { state } = given(started('parallel', 2), { type: 'CandidateEnded', ...ended('A') });
  const d = decideOrchestration({ type: 'interrupt' }, state);
  assert.ok(!isRejection(d));
  assert.deepEqual(d.map((e) => [e.type, (e.data as any).status]), [['CandidateEnded', 'interrupted'], ['OrchestrationEnded', 'interrupted']]);
  assert.match((d[1]!.data as any).reason, /candidates B/);
  const interrupted = given(started('parallel', 2), { type: 'CandidateEnded', ...ended('A') }, ...(d.map((e) => ({ type: e.type, ...(e.data as object) })) as OrchestrationEvent[]));
  assert.deepEqual(decideOrchestration({ type: 'resume' }, interrupted.state), [{ type: 'OrchestrationResumed', data: { labels: ['B'], judge: false } }]);
  // resuming what is not interrupted is refused
  const r = decideOrchestration({ type: 'resume' }, state);
  assert.ok(isRejection(r) && r.reject === 'not_interrupted');
  const judging = given(started('jury', 2), { type: 'CandidateEnded', ...ended('A') }, { type: 'CandidateEnded', ...ended('B') }, { type: 'JuryConvened', labels: ['A', 'B'], judge_mode: 'all' });
  const stop = decideOrchestration({ type: 'interrupt' }, judging.state);
  assert.ok(!isRejection(stop));
  assert.match((stop[0]!.data as any).reason, /judge/);
  const back = given(started('jury', 2), { type: 'CandidateEnded', ...ended('A') }, { type: 'CandidateEnded', ...ended('B') }, { type: 'JuryConvened', labels: ['A', 'B'], judge_mode: 'all' }, { type: 'OrchestrationEnded', status: 'interrupted', winner: null });
  assert.deepEqual(decideOrchestration({ type: 'resume' }, back.state), [{ type: 'OrchestrationResumed', data: { labels: [], judge: true } }]);
  const after = given(started('jury', 2), { type: 'CandidateEnded', ...ended('A') }, { type: 'CandidateEnded', ...ended('B') }, { type: 'JuryConvened', labels: ['A', 'B'], judge_mode: 'all' }, { type: 'OrchestrationEnded', status: 'interrupted', winner: null }, { type: 'OrchestrationResumed', labels: [], judge: true });
  assert.equal(after.state.value, 'judging');
  assert.ok(after.effects.includes('effect.judge'));
});

test('a deleted orchestration refuses every command', () => {
  const { state } = given(started('parallel', 2), { type: 'OrchestrationDeleted' });
  const r = decideOrchestration({ type: 'endCandidate', result: ended('A') }, state);
  assert.ok(isRejection(r) && r.reject === 'orchestration_not_found');
});

test('verdict: the whole text, else a fenced json block, else the first balanced {...}; zod checks the labels', () => {
  const v = { winner: 'B', scores: { A: 3, B: 8 }, rationale: 'B is right' };
  assert.deepEqual(parseVerdict(JSON.stringify(v), ['A', 'B']), { ok: true, verdict: v });
  assert.deepEqual(parseVerdict('Here:\n```json\n' + JSON.stringify(v) + '\n```\nthanks', ['A', 'B']), { ok: true, verdict: v });
  assert.deepEqual(parseVerdict(`I pick {"winner": "A", "rationale": "a {brace} in a string"} ok {"x":1}`, ['A', 'B']), {
    ok: true,
    verdict: { winner: 'A', scores: {}, rationale: 'a {brace} in a string' },
  });
  assert.deepEqual(extractJson('{not json} then {"winner":"A"}'), { winner: 'A' });
  const bad = parseVerdict('{"winner": "Z"}', ['A', 'B']);
  assert.ok(!bad.ok && /winner must be one of A, B/.test(bad.problem));
  const scores = parseVerdict('{"winner": "A", "scores": {"C": 1}}', ['A', 'B']);
  assert.ok(!scores.ok && /scores/.test(scores.problem));
  const none = parseVerdict('no json here', ['A']);
  assert.ok(!none.ok && /no JSON object/.test(none.problem));
});

test('labels: A..Z, AA..; a seeded shuffle is the same every time and a permutation', () => {
  assert.deepEqual([0, 1, 25, 26, 27].map(labelAt), ['A', 'B', 'Z', 'AA', 'AB']);
  assert.deepEqual(shuffledLabels(8, 42), shuffledLabels(8, 42));
  assert.deepEqual([...shuffledLabels(8, 42)].sort(), ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
  const distinct = new Set(Array.from({ length: 20 }, (_, s) => shuffledLabels(5, s).join('')));
  assert.ok(distinct.size > 1, 'different seeds give different orders');
});
