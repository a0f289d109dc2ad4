// Confines a path an agent sends (fs/*, terminal cwd) to the session's workspace.
//
// Order matters, and the original gateway got it wrong (it checked an unnormalised join, so `new/../../x` escaped
// and its parents were created outside the root): normalise first, check lexically, then resolve symlinks with
// realpath and check again. For a path that does not exist yet (a write to a new file), the deepest existing
// ancestor is realpath'd and checked, and the missing segments are re-appended to it.
//
// Comparisons use `root + path.sep`, so `/ws-evil` is never "inside" `/ws`.
//
// What a check like this cannot close by itself (time of check vs time of use): a process that can write inside
// the workspace (the agent, or one of its terminals) may swap a checked directory for a symlink before we open.
// file-access.ts narrows that window: it opens the final component with O_NOFOLLOW, re-checks where an opened
// descriptor really points (/proc/self/fd on Linux), and replaces files with rename(), which never follows a
// symlink at the destination. See file-access.ts for what remains.
import { lstat, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { WorkspaceAccessError, errnoCode } from './errors.js';

export interface ConfineOptions {
  /** A write may name a path that does not exist yet; a read (or a cwd) must exist. */
  forWrite: boolean;
  /** What the path must name when it exists: a file (the default; a directory is 'is_directory'), a directory, or either. */
  expect?: 'file' | 'directory' | 'any';
}

export interface ConfinedPath {
  /** The workspace root after realpath. */
  realRoot: string;
  /** Absolute, symlink-free path inside realRoot to operate on. */
  path: string;
  /** stat() of `path` when it exists; undefined for a not-yet-existing write target. */
  stats: Stats | undefined;
}

/** True when `candidate` is `root` or lies below it. Both must be absolute and normalised. */
export function isInsideRoot(root: string, candidate: string): boolean {
  if (candidate === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(prefix);
}

/**
 * The absolute real path to use for `requested`, or a WorkspaceAccessError ('invalid_path', 'outside_workspace',
 * 'not_found', 'is_directory', 'not_a_directory', 'permission_denied', 'workspace_unavailable', 'io_error').
 * A relative `requested` is resolved against the root (ACP says absolute; we are lenient).
 */
export async function resolveInWorkspace(
  workspaceRoot: string,
  requested: string,
  opts: ConfineOptions,
): Promise<string> {
  return (await confinePath(workspaceRoot, requested, opts)).path;
}

/** resolveInWorkspace plus the real root and the target's stats, for callers that re-check after opening. */
export async function confinePath(workspaceRoot: string, requested: string, opts: ConfineOptions): Promise<ConfinedPath> {
  if (typeof requested !== 'string') throw new WorkspaceAccessError('invalid_params', 'path must be a string');
  if (requested.length === 0) throw new WorkspaceAccessError('invalid_path', 'path is empty', requested);
  if (requested.includes('\0')) throw new WorkspaceAccessError('invalid_path', 'path contains a NUL byte', requested);

  const realRoot = await realWorkspaceRoot(workspaceRoot);
  const normalised = lexicallyInside(workspaceRoot, realRoot, requested);

  const real = await realpathOrMissing(normalised, requested);
  if (real !== undefined) {
    if (!isInsideRoot(realRoot, real)) throw outside(requested);
    const stats = await statOrThrow(real, requested);
    checkKind(stats, opts.expect ?? 'file', requested);
    return { realRoot, path: real, stats };
  }

  if (!opts.forWrite || opts.expect === 'directory') {
    throw new WorkspaceAccessError('not_found', `no such file or directory: ${requested}`, requested);
  }
  return { realRoot, path: await resolveMissing(realRoot, normalised, requested), stats: undefined };
}

async function realWorkspaceRoot(workspaceRoot: string): Promise<string> {
  try {
    return await realpath(workspaceRoot);
  } catch (e) {
    throw new WorkspaceAccessError('workspace_unavailable', 'the session workspace cannot be resolved', undefined, { cause: e });
  }
}

/**
 * The normalised absolute form of `requested`, rebased onto the real root; throws unless it is inside the root.
 * An absolute path may use the root as configured (e.g. through a symlinked /tmp) or its real spelling.
 */
function lexicallyInside(workspaceRoot: string, realRoot: string, requested: string): string {
  const normalised = path.isAbsolute(requested) ? path.resolve(requested) : path.resolve(realRoot, requested);
  if (isInsideRoot(realRoot, normalised)) return normalised;
  const configuredRoot = path.resolve(workspaceRoot);
  if (isInsideRoot(configuredRoot, normalised)) return path.join(realRoot, path.relative(configuredRoot, normalised));
  throw outside(requested);
}

/** realpath, or undefined when the path (or a parent) does not exist. */
async function realpathOrMissing(p: string, requested: string): Promise<string | undefined> {
  try {
    return await realpath(p);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fsError(e, requested);
  }
}

/**
 * A write target that does not exist: realpath the deepest existing ancestor, check it, re-append the rest.
 * An ancestor "exists" when lstat finds it, so a dangling symlink is found (and refused) instead of being
 * treated as a missing name that a later write would create through the link.
 */
async function resolveMissing(realRoot: string, normalised: string, requested: string): Promise<string> {
  const remaining: string[] = [];
  let ancestor = normalised;
  for (;;) {
    if (await existsNoFollow(ancestor, requested)) break;
    const parent = path.dirname(ancestor);
    if (parent === ancestor) throw new WorkspaceAccessError('not_found', `no existing parent for ${requested}`, requested);
    remaining.unshift(path.basename(ancestor));
    ancestor = parent;
  }
  const realAncestor = await realpathOrMissing(ancestor, requested);
  if (realAncestor === undefined) {
    // lstat sees it, realpath cannot resolve it: a dangling symlink (the target itself or one of its parents).
    throw new WorkspaceAccessError('invalid_path', `goes through a symbolic link to a missing target: ${requested}`, requested);
  }
  if (!isInsideRoot(realRoot, realAncestor)) throw outside(requested);
  const ancestorStats = await statOrThrow(realAncestor, requested);
  if (!ancestorStats.isDirectory()) {
    throw new WorkspaceAccessError('not_a_directory', `a parent is not a directory: ${requested}`, requested);
  }
  // Cannot happen after path.resolve, but a '..' re-appended to a real path would undo the check above.
  if (remaining.some((s) => s === '..' || s === '.' || s === '')) throw outside(requested);
  const result = path.join(realAncestor, ...remaining);
  if (!isInsideRoot(realRoot, result)) throw outside(requested);
  return result;
}

async function existsNoFollow(p: string, requested: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw fsError(e, requested);
  }
}

async function statOrThrow(p: string, requested: string): Promise<Stats> {
  try {
    return await stat(p);
  } catch (e) {
    throw fsError(e, requested);
  }
}

function checkKind(stats: Stats, expect: 'file' | 'directory' | 'any', requested: string): void {
  if (expect === 'file' && stats.isDirectory()) {
    throw new WorkspaceAccessError('is_directory', `is a directory: ${requested}`, requested);
  }
  if (expect === 'directory' && !stats.isDirectory()) {
    throw new WorkspaceAccessError('not_a_directory', `not a directory: ${requested}`, requested);
  }
}

function outside(requested: string): WorkspaceAccessError {
  return new WorkspaceAccessError('outside_workspace', `path is outside the session workspace: ${requested}`, requested);
}

/** Maps a system error on `requested` to a WorkspaceAccessError (messages never name the resolved target). */
export function fsError(e: unknown, requested: string): WorkspaceAccessError {
  const code = errnoCode(e);
  switch (code) {
    case 'ENOENT':
      return new WorkspaceAccessError('not_found', `no such file or directory: ${requested}`, requested, { cause: e });
    case 'ENOTDIR':
      return new WorkspaceAccessError('not_a_directory', `a parent is not a directory: ${requested}`, requested, { cause: e });
    case 'EISDIR':
      return new WorkspaceAccessError('is_directory', `is a directory: ${requested}`, requested, { cause: e });
    case 'ELOOP':
      return new WorkspaceAccessError('invalid_path', `symbolic link loop or link where none is allowed: ${requested}`, requested, { cause: e });
    case 'EACCES':
    case 'EPERM':
      return new WorkspaceAccessError('permission_denied', `permission denied: ${requested}`, requested, { cause: e });
    case 'ENAMETOOLONG':
      return new WorkspaceAccessError('invalid_path', `path too long: ${requested}`, requested, { cause: e });
    default:
      return new WorkspaceAccessError('io_error', `I/O error (${code ?? 'unknown'}): ${requested}`, requested, { cause: e });
  }
}
