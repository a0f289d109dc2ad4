// Is anything of a process group still running? kill(-pgid, 0) alone is not enough: when a container's PID 1 does
// not reap orphans (no --init), killed descendants stay zombies forever and the probe keeps succeeding. On Linux we
// therefore look in /proc for a member that is not a zombie; elsewhere the probe's answer is used.
import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { errnoCode } from './errors.js';

/** process.kill(-pgid, 0): true while the group has any member, zombies included. */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) !== 'ESRCH';
  }
}

/** True while some member of the group is alive (not a zombie). */
export async function groupHasLiveMember(pgid: number): Promise<boolean> {
  if (!groupExists(pgid)) return false;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return true; // no /proc: the group exists, assume it is alive
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses, so parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (Number(fields[2]) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/** Field 22 of /proc/<pid>/stat (start time, clock ticks after boot): with the pid, it names one process. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "pid (comm) ": state is field 3, so starttime (22) is index 19
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
