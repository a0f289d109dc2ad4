// Writing inside the workspace: create missing parent directories one level at a time (re-checking each one),
// then replace the target atomically with a temp file in the same directory + rename().
//
// Why this shape: rename() replaces whatever sits at the destination name (a symlink included) without following
// it, so a symlink planted at the target after our check redirects nothing; the temp file is opened with
// O_CREAT|O_EXCL|O_NOFOLLOW under a random name, so it cannot be pre-planted either; and the opened temp file is
// re-checked through /proc/self/fd. Readers never see a half-written file.
//
// Remaining window (documented, not closed): a process that can write inside the workspace could swap a parent
// directory for a symlink between our /proc check and rename(). rename() would then look for the temp file under
// the new parent, where it does not exist, so the write fails rather than escaping — unless that process also
// guessed the random temp name. Closing it fully needs openat()/renameat() relative to a directory fd, which
// Node does not expose.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { WorkspaceAccessError, errnoCode } from './errors.js';
import { fsError, isInsideRoot } from './confine-path.js';
import { O_NOFOLLOW, assertOpenedInside, assertSingleLinkSameDevice } from './opened-path.js';

/** Makes sure `dir` (inside realRoot) exists as a directory inside the workspace, creating missing levels. */
export async function ensureDirectoryInside(realRoot: string, dir: string, requested: string): Promise<void> {
  const rel = path.relative(realRoot, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new WorkspaceAccessError('outside_workspace', `path is outside the session workspace: ${requested}`, requested);
  }
  let current = realRoot;
  for (const segment of rel.split(path.sep).filter((s) => s !== '')) {
    const next = path.join(current, segment);
    try {
      await mkdir(next);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw fsError(e, requested);
    }
    // Whatever is there now (ours, or something that appeared concurrently) must be a directory inside the root.
    let real: string;
    try {
      real = await realpath(next);
    } catch (e) {
      throw fsError(e, requested);
    }
    if (!isInsideRoot(realRoot, real)) {
      throw new WorkspaceAccessError('outside_workspace', `path is outside the session workspace: ${requested}`, requested);
    }
    if (!(await stat(real)).isDirectory()) {
      throw new WorkspaceAccessError('not_a_directory', `a parent is not a directory: ${requested}`, requested);
    }
    current = real;
  }
}

/**
 * Replaces (or creates) `target` with `content`. `mode` is the permission bits to give the file (an existing
 * file's mode is kept by the caller passing it; new files get 0o666 minus the umask).
 */
export async function replaceFileAtomically(
  realRoot: string,
  target: string,
  content: string,
  mode: number | undefined,
  requested: string,
  /** when given, a temp file that lands on another device (the directory is a mount) is refused */
  rootDev?: number,
): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW;
  let handle;
  try {
    handle = await open(temp, flags, 0o666);
  } catch (e) {
    throw fsError(e, requested);
  }
  let renamed = false;
  try {
    await assertOpenedInside(handle.fd, realRoot, requested, temp);
    if (rootDev !== undefined) assertSingleLinkSameDevice(await handle.stat(), rootDev, requested);
    if (mode !== undefined) await handle.chmod(mode);
    await handle.writeFile(content, 'utf8');
    await handle.datasync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
    renamed = true;
  } catch (e) {
    throw e instanceof WorkspaceAccessError ? e : fsError(e, requested);
  } finally {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}
