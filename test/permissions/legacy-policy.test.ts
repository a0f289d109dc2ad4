// The original aintegrix's permission block (original-aintegrix.md §4.2, §5.11):
//   default_policy: deny
//   auto_approve: [fs/read_text_file]
//   require_approval: [fs/write_text_file, terminal/create]
//   always_deny: [terminal/kill]
// with precedence always_deny → Denied, auto_approve → Approved, require_approval → PendingApproval, else
// default_policy; matching by exact method name. Translated by hand into rules, in that precedence order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionPolicy, type PermissionPolicyConfig, type PermissionSubject } from '../../src/permissions/policy.js';

const legacy: PermissionPolicyConfig = {
  default: 'deny',
  approval_timeout_secs: 300,
  rules: [
    { decision: 'deny', method: 'terminal/kill' },
    { decision: 'allow', method: 'fs/read_text_file' },
    { decision: 'ask', method: 'fs/write_text_file' },
    { decision: 'ask', method: 'terminal/create' },
  ],
};

const WS = '/srv/ws';
const call = (method: string, extra: Partial<PermissionSubject> = {}): PermissionSubject => ({
  agent: 'kiro',
  method,
  paths: [],
  workspaceRoot: WS,
  ...extra,
});

test('legacy always_deny → denied', () => {
  const r = new PermissionPolicy(legacy).evaluate(call('terminal/kill'));
  assert.deepEqual(r, { decision: 'deny', rule: legacy.rules[0], ruleIndex: 0, source: 'rule' });
});

test('legacy auto_approve → approved', () => {
  const r = new PermissionPolicy(legacy).evaluate(call('fs/read_text_file', { paths: [`${WS}/README.md`] }));
  assert.deepEqual(r, { decision: 'allow', rule: legacy.rules[1], ruleIndex: 1, source: 'rule' });
});

test('legacy require_approval → ask', () => {
  const p = new PermissionPolicy(legacy);
  assert.deepEqual(p.evaluate(call('fs/write_text_file', { paths: [`${WS}/a.txt`] })), {
    decision: 'ask',
    rule: legacy.rules[2],
    ruleIndex: 2,
    source: 'rule',
  });
  assert.deepEqual(p.evaluate(call('terminal/create', { command: 'make' })), {
    decision: 'ask',
    rule: legacy.rules[3],
    ruleIndex: 3,
    source: 'rule',
  });
});

test('legacy: anything else → default_policy (deny)', () => {
  const p = new PermissionPolicy(legacy);
  for (const method of ['session/request_permission', 'terminal/output', 'terminal/release', 'terminal/wait_for_exit']) {
    assert.deepEqual(p.evaluate(call(method, { kind: 'execute', command: 'ls' })), { decision: 'deny', source: 'default' }, method);
  }
});

test('legacy matching is by exact method name', () => {
  const p = new PermissionPolicy(legacy);
  assert.equal(p.evaluate(call('terminal/kill2')).source, 'default');
  assert.equal(p.evaluate(call('xterminal/kill')).source, 'default');
});

test('legacy precedence: always_deny beats auto_approve for the same method', () => {
  const both: PermissionPolicyConfig = {
    ...legacy,
    rules: [{ decision: 'deny', method: 'fs/read_text_file' }, { decision: 'allow', method: 'fs/read_text_file' }],
  };
  assert.equal(new PermissionPolicy(both).evaluate(call('fs/read_text_file', { paths: [`${WS}/a`] })).decision, 'deny');
});
