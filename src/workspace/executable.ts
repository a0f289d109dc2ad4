// Whether a command can be executed, found the way exec does (a name with a '/' is a path from the cwd, any other
// name is looked up on the PATH of the command's environment). A terminal's command is exec'd by a waiting shell
// (terminal-process.ts), so a missing or non-executable command would otherwise start "successfully" and exit 127;
// checking first keeps terminal/create's answer what it was: a spawn_failed error with ENOENT or EACCES.
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

/** Resolves when `file` names an executable regular file; rejects with an ENOENT or EACCES error otherwise. */
export async function checkExecutable(file: string, path: string | undefined, cwd: string): Promise<void> {
  const candidates = file.includes('/') ? [resolve(cwd, file)] : (path ?? '').split(':').map((dir) => resolve(cwd, dir || '.', file));
  let denied = false;
  for (const candidate of candidates) {
    const s = await stat(candidate).catch(() => null);
    if (s === null) continue;
    if (s.isFile() && (await access(candidate, constants.X_OK).then(() => true, () => false))) return;
    denied = true; // as exec: a match that cannot be run is EACCES, unless a later one can
  }
  throw Object.assign(new Error(`${file}: ${denied ? 'permission denied' : 'not found'}`), { code: denied ? 'EACCES' : 'ENOENT' });
}

/** The directories a bare command name is looked up in by permission rules and terminals (not the agent's PATH). */
export const DEFAULT_COMMAND_PATH: readonly string[] = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export interface FoundExecutable {
  /** the path to exec: absolute, symlinks kept (a multi-call binary such as busybox reads its name from it) */
  path: string;
  /** the same file with every symlink resolved: what identifies the program */
  real: string;
}

/**
 * Where `name` is found when looked up on `searchPath` (fixed directories, never an agent-controlled PATH), or from
 * `cwd` when it holds a '/': an executable regular file, else undefined. Synchronous: a handful of stat calls,
 * made while a permission rule is evaluated.
 */
export function findExecutableSync(name: string, cwd: string, searchPath: readonly string[]): FoundExecutable | undefined {
  if (name === '' || name.includes('\0')) return undefined;
  const candidates = name.includes('/') ? [resolve(cwd, name)] : searchPath.filter(isAbsolute).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return { path: candidate, real: realpathSync(candidate) };
    } catch {
      continue;
    }
  }
  return undefined;
}
