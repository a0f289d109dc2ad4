// Shared fixtures for the workspace tests: a real temp tree with a workspace, a sibling "-evil" directory and
// files outside, plus process helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Sandbox {
  /** Temp dir holding everything below. */
  base: string;
  /** The workspace root (real path). */
  root: string;
  /** base/ws-evil: shares the root's name as a prefix. */
  evil: string;
  /** base/outside.txt containing 'SECRET'. */
  outsideFile: string;
  /** base/outside-dir with existing.txt inside. */
  outsideDir: string;
  cleanup(): void;
}

export function makeSandbox(): Sandbox {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'aintegrix-ws-')));
  const root = path.join(base, 'ws');
  const evil = path.join(base, 'ws-evil');
  const outsideFile = path.join(base, 'outside.txt');
  const outsideDir = path.join(base, 'outside-dir');
  fs.mkdirSync(root);
  fs.mkdirSync(evil);
  fs.mkdirSync(outsideDir);
  fs.writeFileSync(outsideFile, 'SECRET');
  fs.writeFileSync(path.join(outsideDir, 'existing.txt'), 'OUTSIDE');
  fs.writeFileSync(path.join(evil, 'x.txt'), 'EVIL');
  return { base, root, evil, outsideFile, outsideDir, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}

/** Alive = exists and is not a zombie (this container's PID 1 may never reap orphans). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

