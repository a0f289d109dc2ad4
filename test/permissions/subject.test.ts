import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionPolicy, subjectFromClientCall, subjectFromPermissionRequest } from '../../src/permissions/policy.js';

const WS = '/home/me/ws';

// Shaped like claude-agent-acp's canUseTool → requestPermission for a Bash tool use (acp-protocol.md §3.2).
const bashRequest = {
  sessionId: '5b0c7d1e-0000-4000-8000-000000000001',
  toolCall: {
    toolCallId: 'toolu_01',
    rawInput: { command: 'ls -la', description: 'List files' },
    title: '`ls -la`',
    kind: 'execute',
    content: [{ type: 'content', content: { type: 'text', text: 'List files' } }],
    _meta: { claudeCode: { toolName: 'Bash' } },
  },
  options: [
    { kind: 'allow_always', name: 'Always Allow', optionId: 'allow_always' },
    { kind: 'allow_once', name: 'Allow', optionId: 'allow' },
    { kind: 'reject_once', name: 'Reject', optionId: 'reject' },
  ],
};

// ... and for an Edit tool use.
const editRequest = {
  sessionId: '5b0c7d1e-0000-4000-8000-000000000001',
  toolCall: {
    toolCallId: 'toolu_02',
    rawInput: { file_path: `${WS}/src/app.ts`, old_string: 'a', new_string: 'b' },
    title: `Edit \`${WS}/src/app.ts\``,
    kind: 'edit',
    content: [{ type: 'diff', path: `${WS}/src/app.ts`, oldText: 'a', newText: 'b' }],
    locations: [{ path: `${WS}/src/app.ts` }],
  },
  options: bashRequest.options,
};

test('a claude-agent-acp Bash request: kind execute, the command from rawInput, no paths', () => {
  const s = subjectFromPermissionRequest({ agent: 'claude', workspaceRoot: WS, params: bashRequest });
  assert.deepEqual(s, {
    agent: 'claude',
    method: 'session/request_permission',
    kind: 'execute',
    paths: [],
    command: 'ls -la',
    argv: ['ls', '-la'],
    workspaceRoot: WS,
    title: '`ls -la`',
  });
  const p = new PermissionPolicy({ default: 'ask', approval_timeout_secs: 60, rules: [{ decision: 'allow', command: 'ls *' }] });
  assert.equal(p.evaluate(s).decision, 'allow');
});

test('a claude-agent-acp Edit request: kind edit, the file path once (locations and rawInput agree)', () => {
  const s = subjectFromPermissionRequest({ agent: 'claude', workspaceRoot: WS, params: editRequest });
  assert.equal(s.kind, 'edit');
  assert.deepEqual(s.paths, [`${WS}/src/app.ts`]);
  assert.equal(s.command, undefined);
  const p = new PermissionPolicy({
    default: 'ask',
    approval_timeout_secs: 60,
    rules: [
      { decision: 'deny', kind: ['edit'], path: 'secrets/**' },
      { decision: 'allow', kind: ['edit'], path: 'src/**' },
    ],
  });
  assert.deepEqual(p.evaluate(s), { decision: 'allow', rule: p.config.rules[1], ruleIndex: 1, source: 'rule' });
});

test('execute without rawInput.command falls back to the title (backticks removed)', () => {
  const params = { toolCall: { toolCallId: 't', kind: 'execute', title: '`echo \\`date\\``', rawInput: {} } };
  assert.equal(subjectFromPermissionRequest({ agent: 'a', workspaceRoot: WS, params }).command, 'echo `date`');
  const plain = { toolCall: { toolCallId: 't', kind: 'execute', title: 'cargo build' } };
  assert.equal(subjectFromPermissionRequest({ agent: 'a', workspaceRoot: WS, params: plain }).command, 'cargo build');
  // not execute: the title is not a command
  const fetch = { toolCall: { toolCallId: 't', kind: 'fetch', title: 'Fetch https://x' } };
  assert.equal(subjectFromPermissionRequest({ agent: 'a', workspaceRoot: WS, params: fetch }).command, undefined);
});

test('an argv array command is joined; other paths fields are collected, made absolute and de-duplicated', () => {
  const params = {
    toolCall: {
      toolCallId: 't',
      kind: 'move',
      locations: [{ path: 'docs/a.md', line: 3 }, { path: `${WS}/docs/a.md` }, { nope: 1 }, 'junk'],
      rawInput: { command: ['git', 'mv', 'docs/a.md', 'docs/b.md'], path: 'docs', notebook_path: 5 },
    },
  };
  const s = subjectFromPermissionRequest({ agent: 'codex', workspaceRoot: WS, params });
  assert.equal(s.command, 'git mv docs/a.md docs/b.md');
  assert.deepEqual(s.paths, [`${WS}/docs/a.md`, `${WS}/docs`]);
});

test('malformed requests give a bare subject (which then gets the default), never a crash', () => {
  for (const params of [null, 42, 'x', {}, { toolCall: 'x' }, { toolCall: { kind: 7, title: [], locations: 'x', rawInput: 'y' } }]) {
    const s = subjectFromPermissionRequest({ agent: 'a', workspaceRoot: WS, params });
    assert.deepEqual(s, { agent: 'a', method: 'session/request_permission', paths: [], workspaceRoot: WS });
    const p = new PermissionPolicy({ default: 'deny', approval_timeout_secs: 1, rules: [{ decision: 'allow', kind: ['read'] }] });
    assert.deepEqual(p.evaluate(s), { decision: 'deny', source: 'default' });
  }
});

test('fs and terminal client calls', () => {
  assert.deepEqual(
    subjectFromClientCall({ agent: 'a', workspaceRoot: WS, method: 'fs/write_text_file', params: { sessionId: 's', path: `${WS}/x.txt`, content: '' } }),
    { agent: 'a', method: 'fs/write_text_file', paths: [`${WS}/x.txt`], workspaceRoot: WS },
  );
  const term = subjectFromClientCall({
    agent: 'a',
    workspaceRoot: WS,
    method: 'terminal/create',
    params: { sessionId: 's', command: 'bash', args: ['-c', "echo it's done"], cwd: `${WS}/sub` },
  });
  assert.equal(term.command, `bash -c 'echo it'\\''s done'`);
  assert.deepEqual(term.paths, [`${WS}/sub`]);
  const rm = subjectFromClientCall({ agent: 'a', workspaceRoot: WS, method: 'terminal/create', params: { command: 'rm', args: ['-rf', '/'] } });
  assert.equal(rm.command, 'rm -rf /');
  const p = new PermissionPolicy({ default: 'ask', approval_timeout_secs: 1, rules: [{ decision: 'deny', command: 'rm *' }] });
  assert.equal(p.evaluate(rm).decision, 'deny');
  assert.deepEqual(subjectFromClientCall({ agent: 'a', workspaceRoot: WS, method: 'terminal/kill', params: { terminalId: 't' } }), {
    agent: 'a',
    method: 'terminal/kill',
    paths: [],
    workspaceRoot: WS,
  });
  assert.equal(
    subjectFromClientCall({ agent: 'a', workspaceRoot: WS, method: 'session/request_permission', params: bashRequest }).command,
    'ls -la',
  );
});
