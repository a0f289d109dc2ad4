// Where an open file descriptor really points, to re-check confinement after open() (closing most of the window
// between our realpath check and the open). Linux exposes it as /proc/self/fd/<fd>; elsewhere the check is skipped.
import { readlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { WorkspaceAccessError } from './errors.js';
import { isInsideRoot } from './confine-path.js';

/** O_NOFOLLOW where the platform has it (0 elsewhere: then only the realpath check protects the final component). */
export const O_NOFOLLOW: number = constants.O_NOFOLLOW ?? 0;
/** Opening a FIFO for reading would block until a writer appears; O_NONBLOCK makes open return so fstat can refuse it. */
export const O_NONBLOCK: number = constants.O_NONBLOCK ?? 0;

const DELETED_SUFFIX = ' (deleted)';

/** Throws 'outside_workspace' when `fd` turns out to point outside `realRoot`. */
export async function assertOpenedInside(fd: number, realRoot: string, requested: string): Promise<void> {
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
}
