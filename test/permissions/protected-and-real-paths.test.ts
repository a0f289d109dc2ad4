// Files that make tools run code are not writable by default; path rules decide on the real path (symlinks resolved).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionPolicy, type PermissionRule, type PermissionSubject } from '../../src/permissions/policy.js';
import { withRealPaths } from '../../src/permissions/real-paths.js';

const WS = '/home/me/ws';
const write = (path: string, workspaceRoot = WS): PermissionSubject => ({ agent: 'a', method: 'fs/write_text_file', paths: [join(workspaceRoot, path)], workspaceRoot });
const read = (path: string, workspaceRoot = WS): PermissionSubject => ({ ...write(path, workspaceRoot), method: 'fs/read_text_file' });
const policy = (rules: PermissionRule[] = [], extra: { default?: 'allow' | 'deny' | 'ask'; protected_paths?: string[] } = {}) =>
  new PermissionPolicy({ default: extra.default ?? 'allow', approval_timeout_secs: 1, rules, ...(extra.protected_paths ? { protected_paths: extra.protected_paths } : {}) });

test('writes to files that make tools run code are denied by default; reads are not', () => {
  const p = policy();
  for (const path of ['.git/config', '.git', '.git/hooks/pre-commit', 'vendor/lib/.git/config', '.envrc', 'app/.envrc', '.direnv/x', '.husky/pre-commit', '.githooks/post-checkout', '.npmrc', '.yarnrc.yml', '.cargo/config.toml', '.vscode/tasks.json', '.pre-commit-config.yaml']) {
    assert.deepEqual(p.evaluate(write(path)), { decision: 'deny', source: 'protected_path', protectedPath: p.evaluate(write(path)).protectedPath }, path);
    assert.ok(p.evaluate(write(path)).protectedPath, path);
    assert.equal(p.evaluate(read(path)).decision, 'allow', `reading ${path}`);
  }
  for (const path of ['src/git.ts', '.gitignore', '.github/workflows/ci.yml', 'envrc', '.env', 'docs/.git-notes']) {
    assert.equal(p.evaluate(write(path)).decision, 'allow', path);
  }
});

test('neither the default nor a broad allow opens a protected path; a rule naming the path does', () => {
  const broad = policy([{ decision: 'allow', method: 'fs/write_text_file' }]);
  assert.equal(broad.evaluate(write('.git/config')).source, 'protected_path');
  assert.equal(broad.evaluate(write('.git/config'), [{ decision: 'allow', agent: 'a' }]).source, 'protected_path');
  const named = policy([{ decision: 'allow', method: 'fs/write_text_file', path: '.git/info/exclude' }]);
  assert.deepEqual(named.evaluate(write('.git/info/exclude')).decision, 'allow');
  assert.equal(named.evaluate(write('.git/config')).source, 'protected_path');
  const asked = policy([{ decision: 'ask', path: '.envrc' }]);
  assert.equal(asked.evaluate(write('.envrc')).decision, 'ask');
  assert.equal(policy([], { protected_paths: [] }).evaluate(write('.git/config')).decision, 'allow', 'an empty list turns it off');
  assert.equal(policy([], { protected_paths: ['Makefile'] }).evaluate(write('Makefile')).source, 'protected_path');
});

test('an edit tool call of session/request_permission on a protected path is denied; a read one is not', () => {
  const p = policy([{ decision: 'allow', kind: ['edit', 'read'] }]);
  const edit: PermissionSubject = { agent: 'a', method: 'session/request_permission', kind: 'edit', paths: [`${WS}/.git/config`], workspaceRoot: WS };
  assert.equal(p.evaluate(edit).source, 'protected_path');
  assert.equal(p.evaluate({ ...edit, kind: 'read' }).decision, 'allow');
  assert.equal(p.evaluate({ ...edit, kind: undefined }).source, 'protected_path', 'no kind: it may write');
});

test('path rules see through symlinks: a deny on secrets/** holds for s/key.txt when s -> secrets', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'aix-real-'));
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  mkdirSync(join(ws, 'secrets'));
  mkdirSync(join(ws, 'docs'));
  writeFileSync(join(ws, 'secrets', 'key.txt'), 'k');
  symlinkSync('secrets', join(ws, 's'));
  symlinkSync('../secrets/key.txt', join(ws, 'docs', 'key-link'));
  symlinkSync('.git', join(ws, 'g'));
  mkdirSync(join(ws, '.git'));
  const p = policy([{ decision: 'deny', path: 'secrets/**' }, { decision: 'allow', path: 'docs/**' }], { default: 'ask' });
  const real = (s: PermissionSubject) => withRealPaths(s);

  const viaLink = await real(read('s/key.txt', ws));
  assert.deepEqual(viaLink.realPaths, [join(realpathSync(ws), 'secrets', 'key.txt')]);
  assert.equal(p.evaluate(viaLink).decision, 'deny');
  assert.equal(p.evaluate(await real(write('s/new.txt', ws))).decision, 'deny', 'a file that does not exist yet, under the link');
  assert.equal(p.evaluate(read('s/key.txt', ws)).decision, 'allow', 'the written path alone would have passed (implicit allow)');
  // an allow rule decides on the real path: docs/key-link is not in docs/
  const allowDocs = policy([{ decision: 'allow', path: 'docs/**' }], { default: 'ask' });
  const linkOut: PermissionSubject = { ...(await real(read('docs/key-link', ws))), method: 'session/request_permission', kind: 'read' };
  assert.equal(allowDocs.evaluate(linkOut).decision, 'ask');
  // protected paths too: g -> .git
  assert.equal(p.evaluate(await real(write('g/config', ws))).source, 'protected_path');
});
