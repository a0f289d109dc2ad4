// Which directories may hold a session's workspace. The gateway's own directories (the data dir, the database's
// folder, the agent homes) and everything around them are off limits: a workspace there, or one that contains them,
// lets an agent read the database and the token, or overwrite the token that `serve` trusts at its next start.
// The same rule is applied lexically to the config at load time and to real paths (symlinks resolved) per request.
import { dirname, sep } from 'node:path';
import type { ConfigProblem } from './errors.js';
import { IN_MEMORY_STORE, type AintegrixConfig } from './schema.js';

/** `path` is `root` or lies inside it (both absolute and normalized). */
export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The directories no workspace may be, lie in or contain, each with the words that name it in an error. */
export function protectedDirs(config: AintegrixConfig): { path: string; what: string }[] {
  const dirs = [{ path: config.store.data_dir, what: "the gateway's data dir" }];
  if (config.store.path !== IN_MEMORY_STORE) dirs.push({ path: dirname(config.store.path), what: "the gateway's database folder" });
  dirs.push({ path: config.workspaces.homes_dir, what: "the agents' homes" });
  return dirs;
}

/** Why `path` may not be (or hold) a workspace, or undefined when it may. */
export function refusalReason(path: string, guarded: readonly { path: string; what: string }[]): string | undefined {
  if (path === sep) return 'it is the filesystem root';
  for (const g of guarded) {
    if (path === g.path) return `it is ${g.what}`;
    if (isWithin(path, g.path)) return `it is inside ${g.what} (${g.path})`;
    if (isWithin(g.path, path)) return `it contains ${g.what} (${g.path})`;
  }
  return undefined;
}

/**
 * Load-time check of workspaces.dir and workspaces.allowed_roots: neither may be `/` nor lie in one of the gateway's
 * own directories. A root that contains the data dir is accepted (e.g. a home directory holding both projects and
 * the gateway): the paths inside it that overlap the data dir are refused per request.
 */
export function checkWorkspacePaths(config: AintegrixConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const guarded = protectedDirs(config);
  const why = (path: string): string | undefined => {
    if (path === sep) return 'it is the filesystem root';
    const inside = guarded.find((g) => isWithin(path, g.path));
    return inside && (path === inside.path ? `it is ${inside.what}` : `it is inside ${inside.what} (${inside.path})`);
  };
  const dirWhy = why(config.workspaces.dir);
  if (dirWhy) problems.push({ path: ['workspaces', 'dir'], message: `cannot hold the workspaces: ${dirWhy}` });
  config.workspaces.allowed_roots.forEach((root, i) => {
    const rootWhy = why(root);
    if (rootWhy) problems.push({ path: ['workspaces', 'allowed_roots', i], message: `cannot be a workspace root: ${rootWhy}` });
  });
  return problems;
}
