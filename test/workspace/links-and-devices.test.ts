// A file reached by another name: a hard link (made by a terminal, it can name a file outside the workspace that no
// path check sees), a file on another device, or a path whose symlinks changed after its permission was decided.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readTextFile, writeTextFile } from '../../src/workspace/file-access.js';
import { WorkspaceAccessError } from '../../src/workspace/errors.js';
import { assertSingleLinkSameDevice } from '../../src/workspace/opened-path.js';
import { makeSandbox, type Sandbox } from './helpers.js';

const limits = { maxBytes: 1024 };

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => e instanceof WorkspaceAccessError && e.code === code);
}

describe('files with another name', () => {
  let sb: Sandbox;
  beforeEach(() => (sb = makeSandbox()));
  afterEach(() => sb.cleanup());

  it('a hard link to a file outside the workspace is neither read nor written through', async () => {
    fs.linkSync(sb.outsideFile, path.join(sb.root, 'hl.txt'));
    await rejectsWith(readTextFile(sb.root, { path: 'hl.txt' }, limits), 'hard_linked');
    await rejectsWith(readTextFile(sb.root, { path: 'hl.txt', line: 1, limit: 1 }, limits), 'hard_linked');
    await rejectsWith(writeTextFile(sb.root, { path: 'hl.txt', content: 'x' }, limits), 'hard_linked');
    assert.equal(fs.readFileSync(sb.outsideFile, 'utf8'), 'SECRET');
    assert.equal(fs.readFileSync(path.join(sb.root, 'hl.txt'), 'utf8'), 'SECRET');
  });

  it('a file with two names inside the workspace is refused too (which name is the real one is unknowable)', async () => {
    fs.writeFileSync(path.join(sb.root, 'a.txt'), 'A');
    fs.linkSync(path.join(sb.root, 'a.txt'), path.join(sb.root, 'b.txt'));
    await rejectsWith(readTextFile(sb.root, { path: 'a.txt' }, limits), 'hard_linked');
    fs.unlinkSync(path.join(sb.root, 'b.txt'));
    assert.equal((await readTextFile(sb.root, { path: 'a.txt' }, limits)).content, 'A', 'one link again: read');
  });

  it('another device than the workspace is refused (checked on the stats of the opened file)', () => {
    const stats = fs.statSync(sb.outsideFile);
    assert.doesNotThrow(() => assertSingleLinkSameDevice(stats, stats.dev, 'x'));
    assert.throws(() => assertSingleLinkSameDevice(stats, stats.dev + 1, 'x'), (e: unknown) => e instanceof WorkspaceAccessError && e.code === 'other_device');
    const dev = fs.statSync('/dev/null');
    if (dev.dev !== stats.dev) {
      assert.throws(() => assertSingleLinkSameDevice(dev, stats.dev, 'x'), (e: unknown) => e instanceof WorkspaceAccessError && e.code === 'other_device');
    }
  });

  it('the file acted on must be the one decided on: a symlink swapped after the decision fails the call', async () => {
    fs.mkdirSync(path.join(sb.root, 'docs'));
    fs.mkdirSync(path.join(sb.root, 'secrets'));
    fs.writeFileSync(path.join(sb.root, 'docs', 'key.txt'), 'public');
    fs.writeFileSync(path.join(sb.root, 'secrets', 'key.txt'), 'private');
    fs.symlinkSync('docs', path.join(sb.root, 's'));
    const decidedOn = path.join(sb.root, 'docs', 'key.txt');
    assert.equal((await readTextFile(sb.root, { path: 's/key.txt' }, { ...limits, expectedPath: decidedOn })).content, 'public');
    // swapped after the policy looked at it
    fs.unlinkSync(path.join(sb.root, 's'));
    fs.symlinkSync('secrets', path.join(sb.root, 's'));
    await rejectsWith(readTextFile(sb.root, { path: 's/key.txt' }, { ...limits, expectedPath: decidedOn }), 'path_changed');
    await rejectsWith(writeTextFile(sb.root, { path: 's/key.txt', content: 'x' }, { ...limits, expectedPath: decidedOn }), 'path_changed');
    assert.equal(fs.readFileSync(path.join(sb.root, 'secrets', 'key.txt'), 'utf8'), 'private');
  });
});
