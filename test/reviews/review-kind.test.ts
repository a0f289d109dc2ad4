// The review kind without a server: given events → when a command → then events or a rejection, through XState's
// pure transition() and the decider; and the effect each stage asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition } from 'xstate';
import { isRejection } from '../../src/actors/actor-kind.js';
import { reviewMachine, type ReviewMachineEvent } from '../../src/reviews/review-machine.js';
import { decideReview } from '../../src/reviews/review-decide.js';
import { reviewPrompt } from '../../src/reviews/review-prompt.js';
import { readOnlyRules } from '../../src/reviews/read-only-policy.js';
import { PermissionPolicy } from '../../src/permissions/index.js';

const received = (postTo: 'gitlab' | 'github' | null): ReviewMachineEvent => ({
  type: 'ReviewReceived',
  review_id: 'r1',
  provider: 'gitlab',
  delivery_id: 'd1',
  action: 'open',
  repo: 'acme/tool',
  project_id: 7,
  number: 3,
  url: 'http://gitlab.invalid/acme/tool/-/merge_requests/3',
  title: 'Fix {description}',
  description: '',
  source_branch: 'develop',
  target_branch: 'main',
  head: 'abc1234',
  source_url: 'file:///x',
  target_url: 'file:///x',
  agent: 'reviewer',
  session_id: 'reviewer_k',
  chosen_by: 'review_agent',
  post_to: postTo,
});

function fold(events: ReviewMachineEvent[]) {
  let [state] = initialTransition(reviewMachine);
  const effects: unknown[] = [];
  for (const e of events) {
    const [next, actions] = transition(reviewMachine, state, e);
    state = next;
    // the executable actions of a transition: emit() ones carry the emitted effect
    for (const a of actions as { type: string; params?: unknown }[]) if (a.type === 'xstate.emit') effects.push((a.params as { event: unknown }).event);
  }
  return { state, effects };
}

const cloned: ReviewMachineEvent = { type: 'ReviewCloned', session_id: 'reviewer_k', head: 'abc1234', changed_files: ['a.ts'], changed_files_truncated: false };

test('received → cloned → reviewed: each stage emits its effect; completing with a post target journals the post request with it', () => {
  const r = fold([received('gitlab')]);
  assert.equal(r.state.value, 'received');
  assert.deepEqual(r.effects, [{ type: 'effect.clone' }]);
  const c = fold([received('gitlab'), cloned]);
  assert.deepEqual(c.effects.at(-1), { type: 'effect.review' });
  const decided = decideReview({ type: 'complete', turn: 1, text: 'fine', stop_reason: 'end_turn' }, c.state);
  assert.deepEqual(decided, [
    { type: 'ReviewCompleted', data: { turn: 1, text: 'fine', stop_reason: 'end_turn' } },
    { type: 'ReviewPostRequested', data: { target: 'gitlab', attempt: 1 } },
  ]);
  const posting = fold([received('gitlab'), cloned, { type: 'ReviewCompleted', turn: 1, text: 'fine', stop_reason: 'end_turn' }, { type: 'ReviewPostRequested', target: 'gitlab', attempt: 1 }]);
  assert.equal(posting.state.value, 'posting');
  assert.deepEqual(posting.effects.at(-1), { type: 'effect.post', check: false });
  // without a target: reviewed, nothing to post
  const kept = fold([received(null), cloned]);
  assert.deepEqual(decideReview({ type: 'complete', turn: 1, text: 'fine', stop_reason: null }, kept.state), [{ type: 'ReviewCompleted', data: { turn: 1, text: 'fine', stop_reason: null } }]);
});

test('resume re-runs the current stage; a post resumed after a restart is checked before it is sent again', () => {
  const posting = fold([received('github'), cloned, { type: 'ReviewCompleted', turn: 1, text: 'x', stop_reason: null }, { type: 'ReviewPostRequested', target: 'github', attempt: 1 }]);
  assert.deepEqual(decideReview({ type: 'resume', boot: 'b' }, posting.state), [{ type: 'ReviewResumed', data: { boot: 'b', stage: 'post' } }]);
  const resumed = fold([received('github'), cloned, { type: 'ReviewCompleted', turn: 1, text: 'x', stop_reason: null }, { type: 'ReviewPostRequested', target: 'github', attempt: 1 }, { type: 'ReviewResumed', boot: 'b', stage: 'post' }]);
  assert.deepEqual(resumed.effects.at(-1), { type: 'effect.post', check: true });
  assert.equal(resumed.state.context.resumes, 1);
  // nothing found on the provider: a second attempt, journaled
  assert.deepEqual(decideReview({ type: 'requestPost' }, resumed.state), [{ type: 'ReviewPostRequested', data: { target: 'github', attempt: 2 } }]);
  const received1 = fold([received(null)]);
  assert.deepEqual(decideReview({ type: 'resume', boot: 'b' }, received1.state), [{ type: 'ReviewResumed', data: { boot: 'b', stage: 'clone' } }]);
});

test('finished reviews refuse every command: a posted review is never resumed or posted again', () => {
  const posted = fold([
    received('gitlab'),
    cloned,
    { type: 'ReviewCompleted', turn: 1, text: 'x', stop_reason: null },
    { type: 'ReviewPostRequested', target: 'gitlab', attempt: 1 },
    { type: 'ReviewPosted', target: 'gitlab', remote_id: '9', found_existing: false },
  ]);
  assert.equal(posted.state.value, 'posted');
  for (const command of [{ type: 'resume', boot: 'b' }, { type: 'requestPost' }, { type: 'posted', remote_id: '1', found_existing: false }, { type: 'fail', stage: 'post', code: 'x', message: 'x' }] as const) {
    const d = decideReview(command, posted.state);
    assert.ok(isRejection(d), command.type);
    assert.equal(d.reject, 'review_not_running');
  }
  const reviewed = fold([received(null), cloned, { type: 'ReviewCompleted', turn: 1, text: 'x', stop_reason: null }]);
  assert.ok(isRejection(decideReview({ type: 'resume', boot: 'b' }, reviewed.state)), 'a kept review has nothing to resume');
});

test('the prompt template is filled in one pass; the read-only rules deny writes and terminals but the listed commands', () => {
  const c = fold([received(null), cloned]).state.context;
  const text = reviewPrompt('{title} | {description} | {changed_files} | {source_branch}->{target_branch} {unknown}', c);
  assert.equal(text, 'Fix {description} | (no description) | - a.ts | develop->main {unknown}');
  const policy = new PermissionPolicy({ default: 'allow', approval_timeout_secs: 60, rules: [{ decision: 'allow' }] });
  const rules = readOnlyRules(['git log *']);
  const subject = (method: string, extra: Record<string, unknown> = {}) => ({ agent: 'reviewer', method, paths: [], workspaceRoot: '/ws', ...extra });
  assert.equal(policy.evaluate(subject('fs/write_text_file', { paths: ['/ws/a.ts'] }), rules).decision, 'deny');
  assert.equal(policy.evaluate(subject('session/request_permission', { kind: 'edit' }), rules).decision, 'deny');
  assert.equal(policy.evaluate(subject('terminal/create', { command: 'rm -rf /' }), rules).decision, 'deny');
  assert.equal(policy.evaluate(subject('terminal/create', { command: 'git log --oneline', argv: ['git', 'log', '--oneline'] }), rules).decision, 'allow');
  assert.equal(policy.evaluate(subject('fs/read_text_file', { paths: ['/ws/a.ts'] }), rules).decision, 'allow');
});
