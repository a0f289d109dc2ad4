// A session taken over by another node needs its workspace there, at the path its log records (the agent, its
// terminals and its files all work in it; nodes are meant to share the workspaces.dir layout).
// - The folder is there (same machine, or a shared filesystem): nothing to do.
// - The gateway made it (workspace_owned): a clone is made again from the recorded repository and branch (the work
//   the agent had not pushed stays on the old node: only the repository moves); an empty folder is made again.
// - The client's own directory (workspace_root) cannot move: the session fails with `workspace_not_on_node` and a
//   message that says why; every later prompt is refused (the session is failed) and its history stays readable.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AintegrixConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import type { EventStore } from '../store/types.js';
import type { SessionActor } from '../sessions/live-session.js';
import type { SessionCommand } from '../sessions/session-decide.js';
import { parseRepoSpec } from '../repos/repo-spec.js';
import { cloneRepo } from '../repos/git-clone.js';

export const WORKSPACE_NOT_ON_NODE = 'workspace_not_on_node';

export interface WorkspaceDeps {
  config: AintegrixConfig;
  gatewayEnv: Record<string, string | undefined>;
  logger: Logger;
  store: EventStore;
}

export async function movedWorkspace(actor: SessionActor, d: WorkspaceDeps): Promise<void> {
  const snap = actor.snapshot();
  const { workspace, workspaceOwned } = snap.context;
  if (snap.status !== 'active' || workspace === '' || existsSync(workspace)) return;
  let failure: string | undefined;
  if (!workspaceOwned) {
    failure = `the session's workspace ${workspace} is a directory of the node that ran it and cannot move to this node; its history stays readable, start a new session here (or give nodes a shared filesystem)`;
  } else {
    try {
      const cloned = clonedFrom(d.store, actor);
      if (cloned === undefined) await mkdir(workspace, { recursive: true, mode: 0o700 });
      else {
        await cloneRepo(parseRepoSpec(cloned.url, cloned.branch, d.config.git), workspace, d.config.git, d.gatewayEnv);
        d.logger.info('cluster: the session\'s repository was cloned again on this node', { session: actor.id, repo: cloned.url });
      }
    } catch (error) {
      failure = `the session's workspace could not be made again on this node: ${(error as Error).message}`;
    }
  }
  if (failure === undefined) return;
  d.logger.warn('cluster: a session taken over cannot work here', { session: actor.id, reason: failure });
  await actor.execute<SessionCommand>({ type: 'fail', code: WORKSPACE_NOT_ON_NODE, message: failure }, { principal: 'system' });
}

/** The repository the session's workspace was cloned from (its RepoCloned, among its first events), if any. */
function clonedFrom(store: EventStore, actor: SessionActor): { url: string; branch: string } | undefined {
  for (const e of store.iterate({ streamId: actor.streamId, type: 'RepoCloned' })) return e.data as { url: string; branch: string };
  return undefined;
}
