// Where a session may work. A client's workspace_root must lie in workspaces.dir or one of workspaces.allowed_roots
// and must not be `/`, one of the gateway's own directories (data dir, database folder, agent homes), inside one or a
// parent of one. The rule is checked twice: on the path as written (so a refused path is refused without probing
// whether it exists) and on its real path, so a symlink inside an allowed root that points elsewhere is refused.
// Sessions without a workspace_root get a fresh 0700 directory in workspaces.dir, removed when they close.
import { mkdir, realpath, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { AintegrixConfig } from '../config/index.js';
import { isWithin, protectedDirs, refusalReason } from '../config/workspace-paths.js';
import { Rejected } from '../errors/rejection.js';

export class WorkspaceRoots {
  private readonly guarded: { path: string; what: string }[];
  private readonly roots: string[];

  constructor(private readonly config: AintegrixConfig) {
    this.guarded = protectedDirs(config);
    this.roots = [config.workspaces.dir, ...config.workspaces.allowed_roots];
  }

  /** The real path of an acceptable workspace_root; throws a 400 naming the reason otherwise. */
  async check(requested: string): Promise<string> {
    if (!isAbsolute(requested)) throw new Rejected('invalid_request', `workspace_root: must be an absolute path, got '${requested}'`);
    const written = resolve(requested);
    this.refuse(requested, written, this.guarded, this.roots);
    let real: string;
    try {
      real = await realpath(written);
      if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new Rejected('invalid_workspace', `workspace_root '${requested}' does not exist or is not a directory`);
    }
    // the same rule on real paths: the guarded directories and the roots may themselves be reached through symlinks
    const realGuarded = [...this.guarded, ...(await Promise.all(this.guarded.map(async (g) => ({ ...g, path: await realOrSelf(g.path) }))))];
    const realRoots = await Promise.all(this.roots.map(realOrSelf));
    this.refuse(requested, real, realGuarded, realRoots, real !== written);
    return real;
  }

  /** A new, empty, private workspace for a session that named none. */
  async own(sessionId: string): Promise<string> {
    await mkdir(this.config.workspaces.dir, { recursive: true, mode: 0o700 });
    const dir = join(this.config.workspaces.dir, sessionId);
    await mkdir(dir, { mode: 0o700 });
    return realpath(dir);
  }

  private refuse(requested: string, path: string, guarded: { path: string; what: string }[], roots: string[], resolved = false): void {
    const via = resolved ? ` (it resolves to '${path}')` : '';
    const why = refusalReason(path, guarded);
    if (why) throw notAllowed(`workspace_root '${requested}' is not allowed${via}: ${why}`);
    if (!roots.some((r) => isWithin(path, r))) {
      throw notAllowed(`workspace_root '${requested}' is not allowed${via}: it is outside workspaces.dir and workspaces.allowed_roots`);
    }
  }
}

function notAllowed(message: string): Rejected {
  return new Rejected('workspace_not_allowed', message);
}

async function realOrSelf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path; // not created yet: nothing can point into it through a symlink
  }
}

/**
 * Remove the workspace the gateway made for a session (workspace_owned), when the session closes. Only a folder
 * that lies inside workspaces.dir is removed (real paths compared), so a record pointing elsewhere removes nothing.
 */
export async function removeOwnedWorkspace(config: AintegrixConfig, workspace: string): Promise<boolean> {
  const root = await realOrSelf(config.workspaces.dir);
  if (workspace === root || !isWithin(workspace, root)) return false;
  await rm(workspace, { recursive: true, force: true });
  return true;
}
