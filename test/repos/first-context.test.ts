// agents.<name>.git_context and context_inject.files: before the first prompt the agent gets the branch, the last
// commits and `git status --short`, and the named workspace files, as `resource` blocks when it has
// promptCapabilities.embeddedContext and as text with a marker otherwise; a missing file, or a symlink out of the
// cloned workspace, is said so in the prompt, never silently dropped nor read. Later prompts carry none of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { says, startTestGateway } from '../helpers/gateway.js';
import { git, makeBareRepo } from './fixtures.js';

function promptsSent(g: { gw: { store: { readStream(id: string): { type: string; data: unknown }[] } } }, id: string): any[][] {
  return g.gw.store
    .readStream(`session:${id}`)
    .filter((e) => e.type === 'AcpMessage')
    .map((e) => (e.data as { dir: string; msg: { method?: string; params?: { prompt?: unknown[] } } }))
    .filter((d) => d.dir === 'out' && d.msg.method === 'session/prompt')
    .map((d) => d.msg.params!.prompt as any[]);
}

test('first prompt context: git_context and context_inject files, as resources or inlined; only the first prompt', async (t) => {
  const repo = makeBareRepo({ 'README.md': '# the readme\n', 'NOTES.md': 'notes here\n', 'src/a.ts': 'x\n' });
  t.after(() => repo.remove());
  const inject = { git_context: true, context_inject: { files: ['README.md', 'NOTES.md', 'missing.md', 'gone/deep.md'] } };
  const g = await startTestGateway({
    agents: { rich: inject, plain: { flags: ['--no-embedded-context'], ...inject } },
    git: { base_url: repo.baseUrl, allow_file_urls: true },
  });
  t.after(() => g.dispose());

  for (const agent of ['rich', 'plain']) {
    const s = await g.api('POST', '/api/v1/sessions', { agent, repo: 'acme/tool' });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const ws = (await g.api('GET', `/api/v1/sessions/${s.body.id}`)).body.workspace_root as string;
    // the workspace changes after the clone: what was prepared at creation is what goes out
    writeFileSync(join(ws, 'README.md'), 'changed later\n');
    assert.equal((await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('first'))).status, 200);
    assert.equal((await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('second'))).status, 200);
    const [first, second] = promptsSent(g, s.body.id);
    assert.deepEqual(second, [{ type: 'text', text: 'second' }], `${agent}: later prompts carry no context`);
    const gitBlock = first![0];
    assert.equal(gitBlock.type, 'text');
    assert.match(gitBlock.text, /branch: main/);
    assert.ok(gitBlock.text.includes(repo.heads.main.slice(0, 7)) && gitBlock.text.includes('first'), 'the last commits');
    assert.match(gitBlock.text, /git status --short:\n\(clean\)/);
    if (agent === 'rich') {
      assert.deepEqual(first![1], { type: 'resource', resource: { uri: `file://${ws}/README.md`, text: '# the readme\n' } });
      assert.equal(first![2].resource.text, 'notes here\n');
    } else {
      assert.equal(first![1].type, 'text');
      assert.match(first![1].text, /^--- context file README.md ---\n# the readme\n/);
      assert.match(first![2].text, /--- context file NOTES.md ---\nnotes here/);
    }
    assert.match(first![3].text, /context file missing.md: not included \(no such file/);
    assert.match(first![4].text, /context file gone\/deep.md: not included/);
    assert.deepEqual(first![5], { type: 'text', text: 'first' });
  }
});

test('first prompt context: a symlink in the repo pointing out of the workspace is not read', async (t) => {
  const repo = makeBareRepo({ 'README.md': 'x\n' });
  t.after(() => repo.remove());
  // push a commit whose context file is a symlink to a secret outside the workspace
  const secret = join(repo.root, 'secret.txt');
  writeFileSync(secret, 'TOP-SECRET-VALUE\n');
  const work = join(repo.root, 'work');
  git(repo.root, 'clone', '-q', repo.bare, work);
  symlinkSync(secret, join(work, 'CONTEXT.md'));
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'link');
  git(work, 'push', '-q', 'origin', 'main');
  const g = await startTestGateway({
    agents: { demo: { context_inject: { files: ['CONTEXT.md'] } } },
    git: { base_url: repo.baseUrl, allow_file_urls: true },
  });
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: 'acme/tool' });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('go'));
  const [first] = promptsSent(g, s.body.id);
  assert.match(first![0].text, /context file CONTEXT.md: not included \(path is outside the session workspace/);
  assert.ok(!JSON.stringify(g.gw.store.readStream(`session:${s.body.id}`)).includes('TOP-SECRET-VALUE'));
});
