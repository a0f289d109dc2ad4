// Path rules are decided on the file that will really be touched, not on the path as the agent wrote it: with a deny
// rule on `secrets/**`, a symlink `s -> secrets` (a cloned repository can ship one) must not make `s/key.txt`
// readable. Each path of a subject is resolved as the fs handlers resolve it (confine-path.ts): symlinks followed
// as far as the path exists, the missing rest appended, relative to the workspace's REAL root. The fs handlers then
// refuse to act unless the file they open is the one decided on (file-access.ts: expectedPath), so a link swapped
// in between the decision (an `ask` may take minutes) and the access changes nothing.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { PermissionSubject } from './policy.js';

function inside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

async function realOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await realpath(p);
  } catch {
    return undefined;
  }
}

/** `requested` (absolute or relative to the workspace) with every symlink of its existing part resolved. */
export async function realPathIn(workspaceRoot: string, realRoot: string, requested: string): Promise<string> {
  const root = path.resolve(workspaceRoot);
  let absolute = path.resolve(root, requested);
  if (inside(root, absolute) && !inside(realRoot, absolute)) absolute = path.join(realRoot, path.relative(root, absolute));
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    const real = await realOrUndefined(existing);
    if (real !== undefined) return path.join(real, ...missing);
    const parent = path.dirname(existing);
    if (parent === existing) return absolute;
    missing.unshift(path.basename(existing));
    existing = parent;
  }
}

/**
 * The subject with `realRoot`, `realPaths` (one per path, same order) and, for a terminal, `cwd` resolved. Never
 * throws: a workspace that cannot be resolved leaves the lexical forms, and the fs handlers refuse the access anyway.
 */
export async function withRealPaths(subject: PermissionSubject): Promise<PermissionSubject> {
  const realRoot = (await realOrUndefined(subject.workspaceRoot)) ?? path.resolve(subject.workspaceRoot);
  const realPaths = await Promise.all(subject.paths.map((p) => realPathIn(subject.workspaceRoot, realRoot, p)));
  const cwd = subject.cwd === undefined ? realRoot : await realPathIn(subject.workspaceRoot, realRoot, subject.cwd);
  return { ...subject, realRoot, realPaths, cwd };
}
