// Where a new session's workspace and agent come from, before its first event: a workspace_root the client named,
// a fresh clone of `repo` (src/repos), or a new empty folder; the agent named, or chosen by auto_route (src/routing)
// after the clone, so file patterns see the repository's files. Everything is validated before git runs; a clone
// that is not used (routing found no agent, the agent is at capacity) is removed.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { AintegrixConfig } from '../config/index.js';
import { Rejected } from '../errors/rejection.js';
import { cloneRepo, type CloneResult } from '../repos/git-clone.js';
import { parseRepoSpec, type RepoSpec } from '../repos/repo-spec.js';
import { routeAgent, type Routed } from '../routing/route-agent.js';
import { workspaceFiles } from '../routing/workspace-files.js';
import type { WorkspaceRoots } from './workspace-roots.js';

export interface SessionOriginInput {
  agent?: string;
  workspace_root?: string;
  repo?: string;
  branch?: string;
  auto_route?: boolean;
  /** auto_route: the text the keywords are matched against */
  prompt?: string;
  task_type?: string;
  file_paths?: string[];
  /**
   * The key of the session id (`<agent>_<key>`) when the caller must know the id before the session exists (a
   * review answers its webhook with it, before the clone); a fresh UUID otherwise.
   */
  key?: string;
}

export interface SessionOrigin {
  /** the key of the session id: agent_<key> */
  key: string;
  agent: string;
  /** a workspace found or made here (undefined: the session gets a fresh empty one) */
  workspace?: string;
  owned: boolean;
  clone?: CloneResult;
  routed?: Routed;
  /** remove what was made here (the clone), when the session is not created after all */
  discard(): Promise<void>;
}

/** The 400s that need no disk and no git: run first, so a bad request costs nothing. */
export function checkOriginInput(input: SessionOriginInput, config: AintegrixConfig): RepoSpec | undefined {
  if (input.auto_route) {
    if (input.agent !== undefined) throw bad("'agent' and 'auto_route' exclude each other");
    if (input.prompt === undefined || input.prompt.trim() === '') throw bad("auto_route needs a 'prompt' to route by");
  } else {
    if (!input.agent) throw new Rejected('missing_agent', "either 'agent' or 'auto_route: true' is required");
    for (const k of ['prompt', 'task_type', 'file_paths'] as const) {
      if (input[k] !== undefined) throw bad(`'${k}' is only used with auto_route: true`);
    }
  }
  if (input.branch !== undefined && input.repo === undefined) throw bad("'branch' needs a 'repo'");
  if (input.repo !== undefined && input.workspace_root !== undefined) throw bad("'repo' and 'workspace_root' exclude each other: a repo is cloned into a new workspace");
  return input.repo === undefined ? undefined : parseRepoSpec(input.repo, input.branch, config.git);
}

/**
 * Clone (when asked) and route (when asked). `claim(agent)` is called once the agent is known: it checks the agent
 * and reserves capacity, and may throw; what was cloned is removed then.
 */
export async function resolveOrigin(
  input: SessionOriginInput,
  spec: RepoSpec | undefined,
  deps: { config: AintegrixConfig; workspaces: WorkspaceRoots; gatewayEnv: Readonly<Record<string, string | undefined>> },
  claim: (agent: string) => void,
): Promise<SessionOrigin> {
  const key = input.key ?? randomUUID();
  if (input.agent) claim(input.agent);
  let workspace: string | undefined;
  let clone: CloneResult | undefined;
  if (spec) {
    workspace = await deps.workspaces.own(`repo-${key}`);
    clone = await cloneRepo(spec, workspace, deps.config.git, deps.gatewayEnv); // removes the folder when it fails
  }
  const discard = async () => {
    if (clone && workspace) await rm(workspace, { recursive: true, force: true });
  };
  try {
    let routed: Routed | undefined;
    if (input.auto_route) {
      const files = [...(input.file_paths ?? []), ...(workspace && clone ? await workspaceFiles(workspace) : [])];
      routed = routeAgent(deps.config.routing, { prompt: input.prompt ?? '', task_type: input.task_type, files });
      claim(routed.agent);
    }
    const agent = routed?.agent ?? input.agent!;
    return { key, agent, workspace, owned: clone !== undefined, clone, routed, discard };
  } catch (e) {
    await discard();
    throw e;
  }
}

function bad(message: string): Rejected {
  return new Rejected('invalid_request', message);
}
