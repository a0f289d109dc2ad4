import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readTextFile, toJsonRpcError, writeTextFile } from '../../src/workspace/file-access.js';
import { WorkspaceAccessError } from '../../src/workspace/errors.js';
import { makeSandbox, type Sandbox } from './helpers.js';

const limits = { maxBytes: 1024 };

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<WorkspaceAccessError> {
  let caught: WorkspaceAccessError | undefined;
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof WorkspaceAccessError, `expected WorkspaceAccessError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    caught = e;
    return true;
  });
  return caught!;
}

/** Every file below `dir`, relative, sorted (to prove nothing stray — temp files, escaped parents — was created). */
function listTree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe('readTextFile', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = makeSandbox();
    fs.writeFileSync(path.join(sb.root, 'lines.txt'), 'l1\nl2\nl3\nl4\nl5');
  });
  afterEach(() => sb.cleanup());

  it('reads a whole file by absolute or relative path', async () => {
    assert.deepEqual(await readTextFile(sb.root, { path: path.join(sb.root, 'lines.txt') }, limits), { content: 'l1\nl2\nl3\nl4\nl5' });
    assert.equal((await readTextFile(sb.root, { path: 'lines.txt' }, limits)).content, 'l1\nl2\nl3\nl4\nl5');
  });

  it('honours 1-based line and limit (null meaning absent)', async () => {
    const read = async (line?: number | null, limit?: number | null): Promise<string> =>
      (await readTextFile(sb.root, { path: 'lines.txt', line, limit }, limits)).content;
    assert.equal(await read(2, 2), 'l2\nl3\n');
    assert.equal(await read(4), 'l4\nl5');
    assert.equal(await read(undefined, 1), 'l1\n');
    assert.equal(await read(1, 0), '');
    assert.equal(await read(9, 3), '');
    assert.equal(await read(null, null), 'l1\nl2\nl3\nl4\nl5');
    await rejectsWith(readTextFile(sb.root, { path: 'lines.txt', line: 0 }, limits), 'invalid_params');
    await rejectsWith(readTextFile(sb.root, { path: 'lines.txt', limit: -1 }, limits), 'invalid_params');
  });

  it('refuses a whole file over maxBytes but serves a small window of it, multi-byte characters intact', async () => {
    // > 64 KiB so the window scan crosses read chunks; the window line holds 'é€😀' straddling a chunk boundary.
    const filler = 'x'.repeat(99) + '\n';
    const lines = Array.from({ length: 655 }, () => filler).join('');
    const special = 'a'.repeat(35) + 'é€😀' + '\n';
    fs.writeFileSync(path.join(sb.root, 'big.txt'), lines + special + 'tail\n');
    await rejectsWith(readTextFile(sb.root, { path: 'big.txt' }, limits), 'too_large');
    assert.equal((await readTextFile(sb.root, { path: 'big.txt', line: 656, limit: 2 }, limits)).content, special + 'tail\n');
    await rejectsWith(readTextFile(sb.root, { path: 'big.txt', line: 1, limit: 20 }, limits), 'too_large');
  });

  it('accepts a file of exactly maxBytes and refuses one byte more', async () => {
    fs.writeFileSync(path.join(sb.root, 'exact.txt'), 'e'.repeat(1024));
    fs.writeFileSync(path.join(sb.root, 'over.txt'), 'e'.repeat(1025));
    assert.equal((await readTextFile(sb.root, { path: 'exact.txt' }, limits)).content.length, 1024);
    await rejectsWith(readTextFile(sb.root, { path: 'over.txt' }, limits), 'too_large');
  });

  it('refuses every escape', async () => {
    fs.mkdirSync(path.join(sb.root, 'sub'));
    fs.symlinkSync(sb.outsideFile, path.join(sb.root, 'link.txt'));
    fs.symlinkSync(sb.outsideDir, path.join(sb.root, 'linkdir'));
    for (const p of ['../outside.txt', 'sub/../../outside.txt', '/etc/hostname', sb.outsideFile, 'link.txt',
      'linkdir/existing.txt', path.join(sb.evil, 'x.txt'), `${sb.root}-evil/x.txt`]) {
      await rejectsWith(readTextFile(sb.root, { path: p }, limits), 'outside_workspace');
    }
    await rejectsWith(readTextFile(sb.root, { path: 'lines.txt\0' }, limits), 'invalid_path');
  });

  it('refuses directories, missing files and FIFOs (without blocking on the FIFO)', async () => {
    await rejectsWith(readTextFile(sb.root, { path: sb.root }, limits), 'is_directory');
    await rejectsWith(readTextFile(sb.root, { path: 'nope.txt' }, limits), 'not_found');
    execFileSync('mkfifo', [path.join(sb.root, 'pipe')]);
    await rejectsWith(readTextFile(sb.root, { path: 'pipe' }, limits), 'not_regular_file');
  });
});

describe('writeTextFile', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = makeSandbox();
  });
  afterEach(() => sb.cleanup());

  it('creates a file and its missing parent directories, leaving no temp files', async () => {
    await writeTextFile(sb.root, { path: path.join(sb.root, 'a', 'b', 'c.txt'), content: 'héllo €' }, limits);
    assert.equal(fs.readFileSync(path.join(sb.root, 'a', 'b', 'c.txt'), 'utf8'), 'héllo €');
    assert.deepEqual(listTree(sb.root), ['a', path.join('a', 'b'), path.join('a', 'b', 'c.txt')]);
  });

  it('replaces an existing file, keeping its permission bits; writes through an inside symlink to its target', async () => {
    const file = path.join(sb.root, 'script.sh');
    fs.writeFileSync(file, 'old');
    fs.chmodSync(file, 0o750);
    await writeTextFile(sb.root, { path: 'script.sh', content: 'new' }, limits);
    assert.equal(fs.readFileSync(file, 'utf8'), 'new');
    assert.equal(fs.statSync(file).mode & 0o777, 0o750);
    fs.symlinkSync(file, path.join(sb.root, 'alias.sh'));
    await writeTextFile(sb.root, { path: 'alias.sh', content: 'via alias' }, limits);
    assert.equal(fs.readFileSync(file, 'utf8'), 'via alias');
    assert.ok(fs.lstatSync(path.join(sb.root, 'alias.sh')).isSymbolicLink());
  });

  it('refuses content over maxBytes (counted in UTF-8 bytes) without touching the disk', async () => {
    await writeTextFile(sb.root, { path: 'ok.txt', content: 'é'.repeat(512) }, limits); // exactly 1024 bytes
    await rejectsWith(writeTextFile(sb.root, { path: 'big.txt', content: 'é'.repeat(513) }, limits), 'too_large');
    assert.deepEqual(listTree(sb.root), ['ok.txt']);
  });

  it('refuses every escape, creating nothing inside or outside', async () => {
    fs.symlinkSync(sb.outsideFile, path.join(sb.root, 'link.txt'));
    fs.symlinkSync(sb.outsideDir, path.join(sb.root, 'linkdir'));
    const before = listTree(sb.base);
    const attempts = [
      '../outside.txt',
      'sub/../../outside.txt',
      path.join(sb.base, 'new-outside.txt'),
      'link.txt',
      'linkdir/new.txt',
      'linkdir/deep/er/new.txt',
      // the original gateway's bug: a not-yet-existing chain whose `..` climbs out; parents were made outside
      'new1/new2/../../../escaped/file.txt',
      `${sb.root}-evil/new.txt`,
    ];
    for (const p of attempts) await rejectsWith(writeTextFile(sb.root, { path: p, content: 'PWNED' }, limits), 'outside_workspace');
    await rejectsWith(writeTextFile(sb.root, { path: 'a\0b.txt', content: 'x' }, limits), 'invalid_path');
    assert.deepEqual(listTree(sb.base), before);
    assert.equal(fs.readFileSync(sb.outsideFile, 'utf8'), 'SECRET');
  });

  it('refuses a dangling symlink (would create its target) and non-directories as parents', async () => {
    const target = path.join(sb.base, 'created-through-link.txt');
    fs.symlinkSync(target, path.join(sb.root, 'dangling.txt'));
    await rejectsWith(writeTextFile(sb.root, { path: 'dangling.txt', content: 'x' }, limits), 'invalid_path');
    assert.equal(fs.existsSync(target), false);
    fs.writeFileSync(path.join(sb.root, 'file.txt'), 'f');
    await rejectsWith(writeTextFile(sb.root, { path: 'file.txt/child.txt', content: 'x' }, limits), 'not_a_directory');
    await rejectsWith(writeTextFile(sb.root, { path: sb.root, content: 'x' }, limits), 'is_directory');
  });

  it('refuses malformed params', async () => {
    await rejectsWith(writeTextFile(sb.root, { path: 'a.txt', content: 42 } as never, limits), 'invalid_params');
  });
});

describe('toJsonRpcError (workspace)', () => {
  it('maps reasons to JSON-RPC codes and keeps the reason in data', () => {
    const err = (code: ConstructorParameters<typeof WorkspaceAccessError>[0]) =>
      toJsonRpcError(new WorkspaceAccessError(code, 'm', '/p'));
    assert.deepEqual(err('outside_workspace'), { code: -32602, message: 'm', data: { reason: 'outside_workspace', path: '/p' } });
    assert.equal(err('invalid_path').code, -32602);
    assert.equal(err('not_found').code, -32002);
    assert.equal(err('too_large').code, -32603);
    assert.equal(err('is_directory').code, -32603);
    assert.deepEqual(toJsonRpcError(new Error('/secret/internal path')), {
      code: -32603,
      message: 'Internal error',
      data: { reason: 'internal_error' },
    });
  });
});
