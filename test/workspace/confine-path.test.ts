import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isInsideRoot, resolveInWorkspace } from '../../src/workspace/confine-path.js';
import { WorkspaceAccessError } from '../../src/workspace/errors.js';
import { assertOpenedInside } from '../../src/workspace/opened-path.js';
import { makeSandbox, type Sandbox } from './helpers.js';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof WorkspaceAccessError, `expected WorkspaceAccessError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

describe('isInsideRoot', () => {
  it('compares whole path segments, not string prefixes', () => {
    assert.equal(isInsideRoot('/ws', '/ws'), true);
    assert.equal(isInsideRoot('/ws', '/ws/a'), true);
    assert.equal(isInsideRoot('/ws', '/ws-evil'), false);
    assert.equal(isInsideRoot('/ws', '/ws-evil/a'), false);
    assert.equal(isInsideRoot('/ws', '/'), false);
    assert.equal(isInsideRoot('/', '/anything'), true);
  });
});

describe('resolveInWorkspace', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = makeSandbox();
    fs.mkdirSync(path.join(sb.root, 'sub'));
    fs.writeFileSync(path.join(sb.root, 'sub', 'a.txt'), 'A');
  });
  afterEach(() => sb.cleanup());

  it('resolves absolute and (leniently) relative paths to the real path inside', async () => {
    const expected = path.join(sb.root, 'sub', 'a.txt');
    assert.equal(await resolveInWorkspace(sb.root, expected, { forWrite: false }), expected);
    assert.equal(await resolveInWorkspace(sb.root, 'sub/a.txt', { forWrite: false }), expected);
    assert.equal(await resolveInWorkspace(sb.root, 'sub/../sub/./a.txt', { forWrite: false }), expected);
  });

  it('refuses `..` escapes and absolute paths elsewhere', async () => {
    await rejectsWith(resolveInWorkspace(sb.root, '../outside.txt', { forWrite: false }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, 'sub/../../outside.txt', { forWrite: true }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, '/etc/hostname', { forWrite: false }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, sb.outsideFile, { forWrite: true }), 'outside_workspace');
  });

  it('refuses the /ws-evil prefix trick, directly and through a symlink', async () => {
    await rejectsWith(resolveInWorkspace(sb.root, path.join(sb.evil, 'x.txt'), { forWrite: false }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, `${sb.root}-evil/new.txt`, { forWrite: true }), 'outside_workspace');
    fs.symlinkSync(sb.evil, path.join(sb.root, 'evil-link'));
    await rejectsWith(resolveInWorkspace(sb.root, 'evil-link/x.txt', { forWrite: false }), 'outside_workspace');
  });

  it('refuses a NUL byte and an empty path', async () => {
    await rejectsWith(resolveInWorkspace(sb.root, 'sub/a.txt\0.png', { forWrite: false }), 'invalid_path');
    await rejectsWith(resolveInWorkspace(sb.root, '', { forWrite: true }), 'invalid_path');
  });

  it('treats the root as a directory: fine as a directory, is_directory as a file', async () => {
    assert.equal(await resolveInWorkspace(sb.root, sb.root, { forWrite: false, expect: 'directory' }), sb.root);
    assert.equal(await resolveInWorkspace(sb.root, '.', { forWrite: false, expect: 'directory' }), sb.root);
    await rejectsWith(resolveInWorkspace(sb.root, sb.root, { forWrite: false }), 'is_directory');
    await rejectsWith(resolveInWorkspace(sb.root, '.', { forWrite: true }), 'is_directory');
    await rejectsWith(resolveInWorkspace(sb.root, 'sub/a.txt', { forWrite: false, expect: 'directory' }), 'not_a_directory');
  });

  it('reads need an existing path; writes resolve a new path under its deepest existing ancestor', async () => {
    await rejectsWith(resolveInWorkspace(sb.root, 'sub/missing.txt', { forWrite: false }), 'not_found');
    assert.equal(
      await resolveInWorkspace(sb.root, 'sub/new/deeper/file.txt', { forWrite: true }),
      path.join(sb.root, 'sub', 'new', 'deeper', 'file.txt'),
    );
    await rejectsWith(resolveInWorkspace(sb.root, 'sub/a.txt/child.txt', { forWrite: true }), 'not_a_directory');
  });

  it('refuses symlinks resolving outside: file, directory, new file under a linked directory, dangling link', async () => {
    fs.symlinkSync(sb.outsideFile, path.join(sb.root, 'link.txt'));
    fs.symlinkSync(sb.outsideDir, path.join(sb.root, 'linkdir'));
    fs.symlinkSync(path.join(sb.base, 'not-there.txt'), path.join(sb.root, 'dangling.txt'));
    await rejectsWith(resolveInWorkspace(sb.root, 'link.txt', { forWrite: false }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, 'link.txt', { forWrite: true }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, 'linkdir', { forWrite: false, expect: 'directory' }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, 'linkdir/existing.txt', { forWrite: false }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, 'linkdir/new.txt', { forWrite: true }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, 'linkdir/a/b/new.txt', { forWrite: true }), 'outside_workspace');
    await rejectsWith(resolveInWorkspace(sb.root, 'dangling.txt', { forWrite: true }), 'invalid_path');
  });

  it('follows symlinks that stay inside, returning the real target', async () => {
    fs.symlinkSync(path.join(sb.root, 'sub'), path.join(sb.root, 'alias'));
    assert.equal(await resolveInWorkspace(sb.root, 'alias/a.txt', { forWrite: false }), path.join(sb.root, 'sub', 'a.txt'));
    assert.equal(await resolveInWorkspace(sb.root, 'alias/new.txt', { forWrite: true }), path.join(sb.root, 'sub', 'new.txt'));
  });

  it('accepts the root as configured through a symlink, and its real spelling', async () => {
    const configured = path.join(sb.base, 'ws-link');
    fs.symlinkSync(sb.root, configured);
    const real = path.join(sb.root, 'sub', 'a.txt');
    assert.equal(await resolveInWorkspace(configured, path.join(configured, 'sub', 'a.txt'), { forWrite: false }), real);
    assert.equal(await resolveInWorkspace(configured, real, { forWrite: false }), real);
    await rejectsWith(resolveInWorkspace(configured, path.join(configured, '..', 'outside.txt'), { forWrite: false }), 'outside_workspace');
  });

  it('reports a missing workspace root as workspace_unavailable', async () => {
    await rejectsWith(resolveInWorkspace(path.join(sb.base, 'gone'), 'a.txt', { forWrite: true }), 'workspace_unavailable');
  });

  it('re-checks an opened descriptor: one pointing outside is refused', async () => {
    const outside = await fs.promises.open(sb.outsideFile, 'r');
    const inside = await fs.promises.open(path.join(sb.root, 'sub', 'a.txt'), 'r');
    try {
      await rejectsWith(assertOpenedInside(outside.fd, sb.root, 'x'), 'outside_workspace');
      await assertOpenedInside(inside.fd, sb.root, 'sub/a.txt');
    } finally {
      await outside.close();
      await inside.close();
    }
  });
});
