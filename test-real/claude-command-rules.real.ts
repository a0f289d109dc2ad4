// claude-agent-acp's Bash behind an allow rule on `git commit *`: the rule lets a plain commit run without a person,
// it never stretches to a command string around it (`...; touch pwned` falls to the default, here deny), and nothing
// planted in .git/config or hooks runs: not even on a `git status` that the agent runs without asking anyone (it
// counts it as read-only), because the agent's environment switches core.fsmonitor and hooks off.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOOL_RESULT_PREFIX, startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import { says, startRealGateway, writeClaudeConfig, type RealGateway, type RealSetup } from './real-gateway.js';

const LONG = { timeout: 180_000 };
let fake: FakeAnthropic;
let setup: RealSetup;
let g: RealGateway;

before(async () => {
  fake = await startFakeAnthropic();
  setup = writeClaudeConfig({ agents: { claude: fake.url }, permissions: { default: 'deny', rules: [{ decision: 'allow', command: 'git commit *' }] } });
  g = await startRealGateway(setup);
});

after(async () => {
  await g?.close();
  await fake?.close();
  setup?.dispose();
});

async function createSession(t: TestContext): Promise<{ id: string; workspace: string }> {
  const c = await g.api('POST', '/api/v1/sessions', { agent: 'claude' });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  t.after(async () => void (await g.api('DELETE', `/api/v1/sessions/${c.body.id}`)));
  const d = await g.api('GET', `/api/v1/sessions/${c.body.id}`);
  return { id: c.body.id, workspace: d.body.workspace_root };
}

function decisions(id: string) {
  return g.gw.store
    .readStream(`session:${id}`)
    .filter((e) => e.type === 'PermissionRequested')
    .map((e) => {
      const d = e.data as { tool_call: { rawInput?: { command?: string } }; policy: string; policy_source: string };
      return [d.tool_call.rawInput?.command, d.policy, d.policy_source];
    });
}

test('an allowed git commit runs without a person and runs nothing planted in .git; a string around it is denied', LONG, async (t) => {
  const s = await createSession(t);
  execFileSync('git', ['init', '-q', s.workspace], { stdio: 'ignore' });
  const pwned = (what: string) => join(s.workspace, `pwned-${what}`);
  writeFileSync(
    join(s.workspace, '.git', 'config'),
    `[core]\n\trepositoryformatversion = 0\n\tfsmonitor = "touch ${pwned('fsmonitor')}; false"\n[user]\n\tname = t\n\temail = t@example.com\n`,
  );
  writeFileSync(join(s.workspace, '.git', 'hooks', 'pre-commit'), `#!/bin/sh\ntouch ${pwned('hook')}\n`, { mode: 0o755 });

  const status = await g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('RUN: git status'));
  assert.equal(status.status, 200, JSON.stringify(status.body));
  assert.match(status.body.text, new RegExp(`${TOOL_RESULT_PREFIX}.*(No commits yet|On branch)`), status.body.text);

  const commit = await g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('RUN: git commit --allow-empty -m first'));
  assert.equal(commit.status, 200, JSON.stringify(commit.body));
  assert.match(commit.body.text, new RegExp(`${TOOL_RESULT_PREFIX}.*first`), commit.body.text);
  assert.equal(existsSync(pwned('fsmonitor')), false, "core.fsmonitor did not run in the agent's own shell");
  assert.equal(existsSync(pwned('hook')), false, 'the pre-commit hook did not run');

  const attack = await g.api('POST', `/api/v1/sessions/${s.id}/prompt`, says('RUN: git commit --allow-empty -m x; touch pwned'));
  assert.equal(attack.status, 200, JSON.stringify(attack.body));
  assert.match(attack.body.text, new RegExp(`${TOOL_RESULT_PREFIX}\\[error\\]`), attack.body.text);
  assert.equal(existsSync(join(s.workspace, 'pwned')), false, 'the command string never ran');
  // git status was run by the agent without asking (it counts it as read-only): only the commits were asked about
  assert.deepEqual(decisions(s.id), [
    ['git commit --allow-empty -m first', 'allow', 'rule'],
    ['git commit --allow-empty -m x; touch pwned', 'deny', 'default'],
  ]);
});
