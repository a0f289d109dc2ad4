import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PermissionPolicy,
  ruleMatches,
  type PermissionPolicyConfig,
  type PermissionRule,
  type PermissionSubject,
} from '../../src/permissions/policy.js';

const WS = '/home/me/ws';

function subject(overrides: Partial<PermissionSubject> = {}): PermissionSubject {
  return { agent: 'claude', method: 'session/request_permission', paths: [], workspaceRoot: WS, ...overrides };
}

function policy(rules: PermissionRule[], defaultDecision: PermissionPolicyConfig['default'] = 'ask'): PermissionPolicy {
  return new PermissionPolicy({ default: defaultDecision, approval_timeout_secs: 300, rules });
}

test('the first matching rule wins, and its index is reported', () => {
  const rules: PermissionRule[] = [
    { decision: 'deny', command: 'rm *' },
    { decision: 'allow', kind: ['execute'] },
    { decision: 'ask', kind: ['execute'], command: 'ls *' },
  ];
  const p = policy(rules);
  assert.deepEqual(p.evaluate(subject({ kind: 'execute', command: 'rm -rf /' })), {
    decision: 'deny',
    rule: rules[0],
    ruleIndex: 0,
    source: 'rule',
  });
  assert.deepEqual(p.evaluate(subject({ kind: 'execute', command: 'ls -la' })), {
    decision: 'allow',
    rule: rules[1],
    ruleIndex: 1,
    source: 'rule',
  });
  // swap the order: the narrower rule now comes first and wins
  const swapped = policy([rules[2]!, rules[1]!]);
  assert.equal(swapped.evaluate(subject({ kind: 'execute', command: 'ls -la' })).decision, 'ask');
  assert.equal(swapped.evaluate(subject({ kind: 'execute', command: 'pwd' })).decision, 'allow');
});

test('a rule that sets no criteria matches everything', () => {
  assert.equal(ruleMatches({ decision: 'deny' }, subject()), true);
  assert.equal(ruleMatches({ decision: 'deny' }, subject({ method: 'fs/read_text_file', paths: ['/x'] })), true);
});

test('agent glob: matches and does not match', () => {
  const rule: PermissionRule = { decision: 'allow', agent: 'claude*' };
  assert.equal(ruleMatches(rule, subject({ agent: 'claude' })), true);
  assert.equal(ruleMatches(rule, subject({ agent: 'claude-opus' })), true);
  assert.equal(ruleMatches(rule, subject({ agent: 'codex' })), false);
  assert.equal(ruleMatches({ decision: 'allow', agent: 'claude' }, subject({ agent: 'claude2' })), false);
});

test('method glob: matches and does not match', () => {
  const rule: PermissionRule = { decision: 'deny', method: 'terminal/*' };
  assert.equal(ruleMatches(rule, subject({ method: 'terminal/create' })), true);
  assert.equal(ruleMatches(rule, subject({ method: 'terminal/kill' })), true);
  assert.equal(ruleMatches(rule, subject({ method: 'fs/write_text_file' })), false);
  assert.equal(ruleMatches({ decision: 'deny', method: 'fs/*_text_file' }, subject({ method: 'fs/read_text_file' })), true);
  assert.equal(ruleMatches({ decision: 'deny', method: '**' }, subject({ method: 'session/request_permission' })), true);
});

test('kind list: the subject kind must be listed; no kind or an empty list never matches', () => {
  const rule: PermissionRule = { decision: 'allow', kind: ['read', 'search'] };
  assert.equal(ruleMatches(rule, subject({ kind: 'read' })), true);
  assert.equal(ruleMatches(rule, subject({ kind: 'search' })), true);
  assert.equal(ruleMatches(rule, subject({ kind: 'edit' })), false);
  assert.equal(ruleMatches(rule, subject()), false);
  assert.equal(ruleMatches({ decision: 'allow', kind: [] }, subject({ kind: 'read' })), false);
});

test('command glob: matches across /, and a subject without a command never matches', () => {
  const rule: PermissionRule = { decision: 'allow', command: 'git *' };
  assert.equal(ruleMatches(rule, subject({ command: 'git log --oneline' })), true);
  assert.equal(ruleMatches(rule, subject({ command: 'git diff -- src/a.ts' })), true);
  assert.equal(ruleMatches(rule, subject({ command: 'npm test' })), false);
  assert.equal(ruleMatches(rule, subject()), false);
  assert.equal(ruleMatches({ decision: 'deny', command: 'rm *' }, subject({ command: 'rm -rf /' })), true);
});

test('path glob: workspace-relative inside the workspace, absolute outside, never without paths', () => {
  const rule: PermissionRule = { decision: 'deny', path: 'secrets/**' };
  assert.equal(ruleMatches(rule, subject({ paths: [`${WS}/secrets/key.pem`] })), true);
  assert.equal(ruleMatches(rule, subject({ paths: [`${WS}/secrets`] })), true);
  assert.equal(ruleMatches(rule, subject({ paths: [`${WS}/src/a.ts`] })), false);
  assert.equal(ruleMatches(rule, subject({ paths: ['/secrets/x'] })), false, 'outside paths are absolute');
  assert.equal(ruleMatches(rule, subject()), false, 'a path rule never matches a subject without paths');

  const outside: PermissionRule = { decision: 'deny', path: '/etc/**' };
  assert.equal(ruleMatches(outside, subject({ paths: ['/etc/passwd'] })), true);
  assert.equal(ruleMatches(outside, subject({ paths: [`${WS}/etc/passwd`] })), false);
  // `..` is resolved before matching: a path that escapes the workspace is judged by its absolute form
  assert.equal(ruleMatches(outside, subject({ paths: [`${WS}/../../../etc/passwd`] })), true);
  assert.equal(ruleMatches({ decision: 'deny', path: '../**' }, subject({ paths: [`${WS}/../x`] })), false);
  // an absolute rule also applies to a path inside the workspace
  assert.equal(ruleMatches({ decision: 'deny', path: `${WS}/secrets/*` }, subject({ paths: [`${WS}/secrets/a`] })), true);
  // the workspace root itself is '.'
  assert.equal(ruleMatches({ decision: 'ask', path: '.' }, subject({ paths: [WS] })), true);
  // a workspace root given with a trailing slash works the same
  assert.equal(ruleMatches(rule, subject({ workspaceRoot: `${WS}/`, paths: [`${WS}/secrets/k`] })), true);
});

test('several paths: deny/ask apply when ANY path matches, allow only when EVERY path matches', () => {
  const move = subject({ kind: 'move', paths: [`${WS}/docs/a.md`, '/etc/passwd'] });
  assert.equal(ruleMatches({ decision: 'deny', path: '/etc/**' }, move), true);
  assert.equal(ruleMatches({ decision: 'ask', path: 'docs/**' }, move), true);
  assert.equal(ruleMatches({ decision: 'allow', path: 'docs/**' }, move), false);
  const inside = subject({ kind: 'move', paths: [`${WS}/docs/a.md`, `${WS}/docs/b.md`] });
  assert.equal(ruleMatches({ decision: 'allow', path: 'docs/**' }, inside), true);
});

test('every field a rule sets must match', () => {
  const rule: PermissionRule = {
    decision: 'allow',
    agent: 'claude',
    method: 'session/request_permission',
    kind: ['edit'],
    path: 'src/**',
  };
  const ok = subject({ kind: 'edit', paths: [`${WS}/src/a.ts`] });
  assert.equal(ruleMatches(rule, ok), true);
  assert.equal(ruleMatches(rule, { ...ok, agent: 'codex' }), false);
  assert.equal(ruleMatches(rule, { ...ok, method: 'fs/write_text_file' }), false);
  assert.equal(ruleMatches(rule, { ...ok, kind: 'delete' }), false);
  assert.equal(ruleMatches(rule, { ...ok, paths: [`${WS}/test/a.ts`] }), false);
  assert.equal(ruleMatches({ ...rule, command: 'x' }, ok), false, 'a command criterion fails on a subject without a command');
});

test('no matching rule: default for request_permission and terminal/create, implicit allow for fs reads and writes', () => {
  for (const def of ['allow', 'deny', 'ask'] as const) {
    const p = policy([{ decision: 'deny', method: 'terminal/kill' }], def);
    assert.deepEqual(p.evaluate(subject({ kind: 'execute', command: 'ls' })), { decision: def, source: 'default' });
    assert.deepEqual(p.evaluate(subject({ method: 'terminal/create', command: 'ls' })), { decision: def, source: 'default' });
    assert.deepEqual(p.evaluate(subject({ method: 'terminal/output' })), { decision: def, source: 'default' });
    assert.deepEqual(p.evaluate(subject({ method: 'fs/read_text_file', paths: [`${WS}/a`] })), { decision: 'allow', source: 'implicit' });
    assert.deepEqual(p.evaluate(subject({ method: 'fs/write_text_file', paths: [`${WS}/a`] })), { decision: 'allow', source: 'implicit' });
  }
});

test('explicit rules still govern fs access', () => {
  const p = policy([{ decision: 'deny', method: 'fs/write_text_file', path: '.env' }], 'deny');
  const r = p.evaluate(subject({ method: 'fs/write_text_file', paths: [`${WS}/.env`] }));
  assert.equal(r.decision, 'deny');
  assert.equal(r.source, 'rule');
  assert.equal(p.evaluate(subject({ method: 'fs/write_text_file', paths: [`${WS}/src/a.ts`] })).source, 'implicit');
});

test('session rules are checked before the configured rules', () => {
  const configured: PermissionRule[] = [{ decision: 'deny', kind: ['execute'] }];
  const sessionRules: PermissionRule[] = [
    { decision: 'deny', command: 'npm publish' },
    { decision: 'allow', agent: 'claude', method: 'session/request_permission', kind: ['execute'], command: 'npm test' },
  ];
  const p = policy(configured, 'ask');
  assert.deepEqual(p.evaluate(subject({ kind: 'execute', command: 'npm test' }), sessionRules), {
    decision: 'allow',
    rule: sessionRules[1],
    ruleIndex: 1,
    source: 'session_rule',
  });
  // not covered by a session rule → the configured rule decides
  assert.deepEqual(p.evaluate(subject({ kind: 'execute', command: 'npm run build' }), sessionRules), {
    decision: 'deny',
    rule: configured[0],
    ruleIndex: 0,
    source: 'rule',
  });
  // without the session rules the same request is denied
  assert.equal(p.evaluate(subject({ kind: 'execute', command: 'npm test' })).decision, 'deny');
});

test('approval timeout is exposed from the config', () => {
  assert.equal(new PermissionPolicy({ default: 'ask', approval_timeout_secs: 42, rules: [] }).approvalTimeoutSecs, 42);
});
