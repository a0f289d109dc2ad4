// Whether a command can be executed, found the way exec does (a name with a '/' is a path from the cwd, any other
// name is looked up on the PATH of the command's environment). A terminal's command is exec'd by a waiting shell
// (terminal-process.ts), so a missing or non-executable command would otherwise start "successfully" and exit 127;
// checking first keeps terminal/create's answer what it was: a spawn_failed error with ENOENT or EACCES.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

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
