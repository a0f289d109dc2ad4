// Creating a session: check the input (every 400 before anything touches the disk or runs git), take a place
// (SessionCapacity), set up its workspace (the client's, a clone, or a fresh folder the gateway owns), write its
// first events (SessionCreated, RepoCloned, SessionRouted, ContextPrepared) and attach its agent. A session's first
// events are not decided: there is no state yet to decide them against; the stream must simply not exist.
import type { PermissionRule } from '../permissions/index.js';
import type { ActorRuntime } from '../actors/runtime.js';
import type { ActorKind } from '../actors/actor-kind.js';
import type { EventMeta, NewEvent } from '../store/types.js';
import { Rejected } from '../errors/rejection.js';
import { findAgent } from '../config/agent-lookup.js';
import type { SessionActor, LiveSession } from './live-session.js';
import type { SessionCapacity } from './session-capacity.js';
import type { SessionDeps } from './session-deps.js';
import type { sessionMachine } from './session-machine.js';
import { AttachError } from './attach-error.js';
import type { WorkspaceRoots } from './workspace-roots.js';
import { prepareFirstContext } from './first-context.js';
import { checkOriginInput, resolveOrigin, type SessionOrigin, type SessionOriginInput } from './session-origin.js';
import type { ForkOrigin } from './session-fork.js';

export interface CreateSessionInput extends SessionOriginInput {
  workspace_root?: string;
  model?: string;
  origin: 'rest' | 'mcp' | 'stream' | 'ws' | 'fork' | 'orchestration' | 'pipeline' | 'webhook' | 'acp';
  mcp_servers?: unknown[];
  /** a fork: where its conversation comes from (recorded in SessionCreated) */
  forked_from?: ForkOrigin;
  /** called once SessionCreated is committed, before the agent is attached (a fork records its link on the source) */
  onCreated?: (actor: SessionActor) => Promise<void>;
  /** rules decided before the configured ones for this session only (a review's read-only policy) */
  permission_rules?: PermissionRule[];
}

export interface SessionCreation {
  runtime: ActorRuntime;
  kind: ActorKind<typeof sessionMachine>;
  deps: SessionDeps;
  capacity: SessionCapacity;
  workspaces: WorkspaceRoots;
  liveFor(actor: SessionActor): LiveSession;
}

export async function createSession(c: SessionCreation, input: CreateSessionInput, meta: EventMeta): Promise<SessionActor> {
  const cfg = c.deps.config;
  const env = c.deps.gatewayEnv ?? process.env;
  const spec = checkOriginInput(input, cfg); // every 400 before anything touches the disk or runs git
  if (input.agent && !findAgent(cfg, input.agent)) throw agentNotFound(input.agent);
  const workspace = input.workspace_root ? await c.workspaces.check(input.workspace_root) : undefined;
  let reserved: string | undefined;
  const claim = (agent: string) => {
    const agentCfg = findAgent(cfg, agent);
    if (!agentCfg) throw agentNotFound(agent);
    c.capacity.reserve(agent, agentCfg.max_sessions); // synchronous: atomic against other creations
    reserved = agent;
  };
  let actor: SessionActor | undefined;
  let origin: SessionOrigin | undefined;
  try {
    origin = await resolveOrigin(input, spec, { config: cfg, workspaces: c.workspaces, gatewayEnv: env }, claim);
    const id = `${origin.agent}_${origin.key}`;
    const ws = workspace ?? origin.workspace ?? (await c.workspaces.own(id));
    const events: NewEvent[] = [
      {
        type: 'SessionCreated',
        data: {
          id,
          agent: origin.agent,
          workspace: ws,
          workspace_owned: workspace === undefined,
          model: input.model ?? null,
          origin: input.origin,
          mcp_servers: input.mcp_servers ?? [],
          ...(input.forked_from ? { forked_from: input.forked_from } : {}),
          ...(input.permission_rules?.length ? { permission_rules: input.permission_rules } : {}),
        },
      },
    ];
    if (origin.clone) events.push({ type: 'RepoCloned', data: { ...origin.clone } });
    if (origin.routed) events.push({ type: 'SessionRouted', data: { ...origin.routed } });
    // a fork continues a conversation that had its context already
    const first = input.forked_from ? undefined : await prepareFirstContext(findAgent(cfg, origin.agent)!, ws, cfg.limits.fs_max_read_bytes, env);
    if (first) events.push({ type: 'ContextPrepared', data: { ...first } });
    actor = await c.runtime.create(c.kind, id, events, meta);
    // the session exists now and is counted as open: keeping its reservation while its agent attaches would count it
    // twice and refuse a creation that still has room
    c.capacity.release(reserved!);
    reserved = undefined;
    await input.onCreated?.(actor);
    await c.liveFor(actor).ensureAttached('create');
    return actor;
  } catch (e) {
    if (!actor) await origin?.discard();
    throw e instanceof AttachError ? e.toRejected() : e;
  } finally {
    if (reserved) c.capacity.release(reserved);
  }
}

function agentNotFound(agent: string): Rejected {
  return new Rejected('agent_not_found', `agent '${agent}' not configured`);
}
