// What of the host an agent's command needs to run: its executable, found on the agent's PATH, and the absolute
// paths among its arguments (a script, usually), each widened to the package it belongs to so that its modules
// resolve: the folder above the first `node_modules` segment (the project that installed it) or else the nearest
// folder with a package.json (the demo agent's dist/ lives in the project that holds its node_modules). A project's
// `node_modules` that is a symlink brings its target along. A native executable brings only its own folder.
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, sep } from 'node:path';

/** The executable `command` names: itself when it contains a slash, else the first match on `path`. */
export async function findExecutable(command: string, path: string | undefined): Promise<string | undefined> {
  if (command.includes('/')) return (await isExecutable(command)) ? command : undefined;
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The real folders to bind read-only so that `command args` can run: deduplicated, never `/`. */
export async function commandReadOnlyRoots(executable: string, args: readonly string[]): Promise<string[]> {
  const roots = new Set<string>();
  const add = async (path: string) => {
    const real = await realpath(path).catch(() => undefined);
    if (real === undefined) return;
    for (const r of await packageRoots(real)) if (r !== sep) roots.add(r);
  };
  // a program: its package when it is one (a global npm bin links into node_modules), else only its own folder
  // (never a package.json found somewhere above a binary)
  const realExe = await realpath(executable).catch(() => executable);
  if (realExe.includes(`${sep}node_modules${sep}`) || /\.[cm]?js$/.test(realExe)) await add(realExe);
  else roots.add(dirname(realExe));
  // the folder the executable was found in: a `bin/` of symlinks whose siblings (e.g. `node` for a
  // `#!/usr/bin/env node` script) the command may call
  if (isAbsolute(executable)) roots.add(await realpath(dirname(executable)).catch(() => dirname(executable)));
  for (const arg of args) if (isAbsolute(arg)) await add(arg);
  roots.delete(sep);
  return [...roots];
}

async function packageRoots(real: string): Promise<string[]> {
  const nm = real.indexOf(`${sep}node_modules${sep}`);
  const root = nm > 0 ? real.slice(0, nm) : await nearestPackage(real);
  const roots = [root];
  const modules = join(root, 'node_modules');
  const realModules = await realpath(modules).catch(() => modules);
  if (realModules !== modules) roots.push(realModules);
  return roots;
}

async function nearestPackage(real: string): Promise<string> {
  const start = (await stat(real)).isDirectory() ? real : dirname(real);
  for (let dir = start; ; dir = dirname(dir)) {
    if (await exists(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
