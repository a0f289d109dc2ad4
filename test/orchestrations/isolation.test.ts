// Worktree isolation on a real git repository made by the test: each candidate works in its own worktree detached
// at HEAD (under workspaces.dir), its result carries the diff --stat and the diff of what it wrote, the repository's
// own checkout is untouched, and DELETE removes the worktrees (git's record of them too). A plain folder is shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../helpers/gateway.js';
import { AGENTS, orchestrate } from './helpers.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1' } });
}

test('a git workspace_root: one detached worktree per candidate, its diff in the result, removed on delete', async (t) => {
  const roots = realpathSync(mkdtempSync(join(tmpdir(), 'aix-orch-roots-')));
  t.after(() => rmSync(roots, { recursive: true, force: true }));
  const repo = join(roots, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), 'hello\n');
  git(repo, 'add', '.');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'first');
  const head = git(repo, 'rev-parse', 'HEAD').trim();
  const g = await startTestGateway({
    agents: { ...AGENTS, writer: { max_sessions: 8, prompt_prefix: '/write answer.txt' } },
    workspaces: { allowed_roots: [roots] },
  });
  t.after(() => g.dispose());
  const o = await orchestrate(g, { agents: ['writer', 'writer'], strategy: 'parallel', workspace_root: repo, messages: [{ role: 'user', content: 'from the task' }] });
  assert.equal(o.status, 'completed', JSON.stringify(o));
  const paths = o.results.map((r: any) => r.worktree as string);
  assert.equal(new Set(paths).size, 2, 'a worktree each');
  for (const r of o.results) {
    assert.ok(r.worktree.startsWith(join(g.gw.config.workspaces.dir, 'orchestrations', o.id)), r.worktree);
    assert.equal(git(r.worktree, 'rev-parse', 'HEAD').trim(), head, 'detached at the repository HEAD');
    assert.match(r.diff_stat, /answer\.txt \| 1 \+/);
    assert.match(r.diff, /\+\+\+ b\/answer\.txt\n@@ -0,0 \+1 @@\n\+from the task/);
    assert.equal(r.diff_truncated, false);
    assert.equal(readFileSync(join(r.worktree, 'answer.txt'), 'utf8'), 'from the task');
    // the candidate's session worked in its worktree
    assert.equal((await g.api('GET', `/api/v1/sessions/${r.session_id}`)).body.workspace_root, r.worktree);
  }
  assert.equal(existsSync(join(repo, 'answer.txt')), false, "the repository's checkout is untouched");
  assert.match(git(repo, 'worktree', 'list'), new RegExp(o.results[0].label));
  assert.equal((await g.api('DELETE', `/api/v1/orchestrations/${o.id}`)).status, 204);
  for (const p of paths) assert.equal(existsSync(p), false, `${p} removed`);
  assert.equal(git(repo, 'worktree', 'list').trim().split('\n').length, 1, 'only the main worktree is left');
});

test('a workspace_root that is not a git repository is shared by the candidates, as the original did', async (t) => {
  const roots = realpathSync(mkdtempSync(join(tmpdir(), 'aix-orch-plain-')));
  t.after(() => rmSync(roots, { recursive: true, force: true }));
  const g = await startTestGateway({ agents: AGENTS, workspaces: { allowed_roots: [roots] } });
  t.after(() => g.dispose());
  const o = await orchestrate(g, { agents: ['alpha', 'beta'], strategy: 'parallel', workspace_root: roots });
  for (const r of o.results) {
    assert.equal(r.worktree, undefined);
    assert.equal(r.diff_stat, undefined);
    assert.equal((await g.api('GET', `/api/v1/sessions/${r.session_id}`)).body.workspace_root, roots);
  }
});
