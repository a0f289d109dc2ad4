// Where an open file descriptor really points, to re-check confinement after open() (closing most of the window
// between our realpath check and the open). Linux exposes it as /proc/self/fd/<fd>; elsewhere the check is skipped.
import { readlink } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { WorkspaceAccessError } from './errors.js';
import { isInsideRoot } from './confine-path.js';

/** O_NOFOLLOW where the platform has it (0 elsewhere: then only the realpath check protects the final component). */
export const O_NOFOLLOW: number = constants.O_NOFOLLOW ?? 0;
/** Opening a FIFO for reading would block until a writer appears; O_NONBLOCK makes open return so fstat can refuse it. */
export const O_NONBLOCK: number = constants.O_NONBLOCK ?? 0;

const DELETED_SUFFIX = ' (deleted)';

/**
 * Throws 'outside_workspace' when `fd` turns out to point outside `realRoot`, and 'path_changed' when `exact` is
 * given and the fd points anywhere else (the file checked is not the file opened).
 */
export async function assertOpenedInside(fd: number, realRoot: string, requested: string, exact?: string): Promise<void> {
  let target: string;
  try {
    target = await readlink(`/proc/self/fd/${fd}`);
  } catch {
    return; // no /proc (macOS, restricted container): rely on the checks made before opening
  }
  if (target.endsWith(DELETED_SUFFIX)) target = target.slice(0, -DELETED_SUFFIX.length);
  if (!isInsideRoot(realRoot, target)) {
    throw new WorkspaceAccessError('outside_workspace', `path is outside the session workspace: ${requested}`, requested);
  }
  if (exact !== undefined && target !== exact) throw pathChanged(requested);
}

export function pathChanged(requested: string): WorkspaceAccessError {
  return new WorkspaceAccessError('path_changed', `the path changed while it was being checked: ${requested}`, requested);
}

/**
 * Refuses a regular file that has another name (a hard link: made by a terminal, it can name a file outside the
 * workspace that no path check sees) or that lives on another device than the workspace (a mount inside it).
 */
export function assertSingleLinkSameDevice(stats: Stats, rootDev: number, requested: string): void {
  if (stats.isFile() && stats.nlink > 1) {
    throw new WorkspaceAccessError('hard_linked', `the file has more than one hard link: ${requested}`, requested);
  }
  if (stats.dev !== rootDev) {
    throw new WorkspaceAccessError('other_device', `the file is on another device than the workspace: ${requested}`, requested);
  }
}
