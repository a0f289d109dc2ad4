// Session commands (create, prompt, cancel, close, change model) as the API surfaces call them. Each command is
// decided by the session actor against its committed state and appended before anything else happens; the effects
// run in the LiveSession once the events are committed.
import type { ActorRuntime } from '../actors/runtime.js';
import type { ActorKind } from '../actors/actor-kind.js';
import type { EventMeta, NewEvent } from '../store/types.js';
import { HttpError } from '../errors/http-error.js';
import { LiveSession, type SessionActor } from './live-session.js';
import { SessionCapacity } from './session-capacity.js';
import type { TurnResult } from './turn-ledger.js';
import type { SessionDeps } from './session-deps.js';
import { sessionFoldedTypes, sessionMachine } from './session-machine.js';
import { AttachError } from './attach-error.js';
import { removeOwnedWorkspace, WorkspaceRoots } from './workspace-roots.js';
import { prepareFirstContext } from './first-context.js';
import { checkOriginInput, resolveOrigin, type SessionOrigin, type SessionOriginInput } from './session-origin.js';
import type { ContentBlock } from './prompt-input.js';
import { findAgent } from '../config/agent-lookup.js';
import { breachMessage, budgetLabel, type BudgetBreach } from '../usage/budgets.js';
import { forkSession, type ForkInput, type ForkOrigin, type ForkResult } from './session-fork.js';

export interface CreateSessionInput extends SessionOriginInput {
  workspace_root?: string;
  model?: string;
  origin: 'rest' | 'mcp' | 'stream' | 'ws' | 'fork' | 'orchestration' | 'pipeline' | 'webhook' | 'acp';
  mcp_servers?: unknown[];
  /** a fork: where its conversation comes from (recorded in SessionCreated) */
  forked_from?: ForkOrigin;
  /** called once SessionCreated is committed, before the agent is attached (a fork records its link on the source) */
  onCreated?: (actor: SessionActor) => Promise<void>;
}

export interface SubmittedTurn {
  turn: number;
  /** log position of PromptSubmitted */
  position: number;
  session: LiveSession;
  result: Promise<TurnResult>;
}

export const SESSION_MACHINE_VERSION = 'session-3';

export class SessionService {
  readonly kind: ActorKind<typeof sessionMachine>;
  private readonly live = new Map<string, LiveSession>();
  private readonly capacity: SessionCapacity;
  private readonly workspaces: WorkspaceRoots;

  constructor(
    private readonly runtime: ActorRuntime,
    private readonly deps: SessionDeps,
  ) {
    this.workspaces = new WorkspaceRoots(deps.config);
    this.capacity = new SessionCapacity(() => this.actors(), deps.config.limits.max_sessions_total);
    this.kind = {
      streamType: 'session',
      machine: sessionMachine,
      machineVersion: SESSION_MACHINE_VERSION,
      foldedTypes: sessionFoldedTypes,
      snapshotEvery: deps.config.store.snapshot_every,
      snapshotWhen: (s) => s.value === 'idle' || s.status === 'done',
      onEffect: (actor, effect) => this.runEffect(actor as SessionActor, effect as { type: string } & Record<string, unknown>),
    };
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  actors(): SessionActor[] {
    return this.runtime.list<typeof sessionMachine>('session');
  }

  actor(id: string): SessionActor {
    const a = this.runtime.get<typeof sessionMachine>(`session:${id}`);
    if (!a || a.snapshot().context.id === '') throw new HttpError(404, 'session_not_found', `session '${id}' not found`);
    return a;
  }

  agentConfig(name: string) {
    return findAgent(this.deps.config, name);
  }

  liveFor(actor: SessionActor): LiveSession {
    let l = this.live.get(actor.id);
    if (!l) this.live.set(actor.id, (l = new LiveSession(actor, this.deps)));
    return l;
  }

  // ---- create --------------------------------------------------------------------------------------------------

  async create(input: CreateSessionInput, meta: EventMeta): Promise<SessionActor> {
    const cfg = this.deps.config;
    const spec = checkOriginInput(input, cfg); // every 400 before anything touches the disk or runs git
    if (input.agent && !findAgent(cfg, input.agent)) throw new HttpError(404, 'agent_not_found', `agent '${input.agent}' not configured`);
    const workspace = input.workspace_root ? await this.workspaces.check(input.workspace_root) : undefined;
    let reserved: string | undefined;
    const claim = (agent: string) => {
      const agentCfg = findAgent(cfg, agent);
      if (!agentCfg) throw new HttpError(404, 'agent_not_found', `agent '${agent}' not configured`);
      this.capacity.reserve(agent, agentCfg.max_sessions); // synchronous: atomic against other creations
      reserved = agent;
    };
    let actor: SessionActor | undefined;
    let origin: SessionOrigin | undefined;
    try {
      origin = await resolveOrigin(input, spec, { config: cfg, workspaces: this.workspaces, gatewayEnv: this.deps.gatewayEnv ?? process.env }, claim);
      const id = `${origin.agent}_${origin.key}`;
      const ws = workspace ?? origin.workspace ?? (await this.workspaces.own(id));
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
          },
        },
      ];
      if (origin.clone) events.push({ type: 'RepoCloned', data: { ...origin.clone } });
      if (origin.routed) events.push({ type: 'SessionRouted', data: { ...origin.routed } });
      // a fork continues a conversation that had its context already
      const first = input.forked_from
        ? undefined
        : await prepareFirstContext(findAgent(cfg, origin.agent)!, ws, cfg.limits.fs_max_read_bytes, this.deps.gatewayEnv ?? process.env);
      if (first) events.push({ type: 'ContextPrepared', data: { ...first } });
      actor = await this.runtime.create(this.kind, id, events, meta);
      await input.onCreated?.(actor);
      await this.liveFor(actor).ensureAttached('create');
      return actor;
    } catch (e) {
      if (!actor) await origin?.discard();
      if (e instanceof AttachError) {
        throw new HttpError(e.status, e.code, e.message, {}, e.stderrTail ? { stderr_tail: e.stderrTail.slice(-2000) } : undefined);
      }
      throw e;
    } finally {
      if (reserved) this.capacity.release(reserved);
    }
  }

  /** Fork session `id` (session-fork.ts): a new session whose conversation starts with its own. */
  fork(id: string, input: ForkInput, meta: EventMeta): Promise<ForkResult> {
    return forkSession(this, this.deps.store, id, input, meta);
  }

  // ---- prompt, cancel, model, close ----------------------------------------------------------------------------

  /** Append the prompt (409 when the session is busy or over) and return a handle on the turn's result. */
  async submit(id: string, prompt: ContentBlock[], meta: EventMeta): Promise<SubmittedTurn> {
    const actor = this.actor(id);
    const session = this.liveFor(actor);
    const r = await actor.decide((s) => {
      if (s.status !== 'active') return { reject: 'session_closed', message: `session '${id}' is ${s.value}` };
      if (s.value !== 'idle') return { reject: 'session_busy', message: `session '${id}' is already prompting` };
      // the one budget check of every surface (REST, SSE, POST /stream, WebSocket, MCP); a refusal is recorded
      const over = this.deps.budgets?.beforePrompt(id, meta.principal ?? null);
      if (over) return [{ type: 'BudgetExceeded', data: { action: 'prompt_refused', turn: null, ...over } }];
      return [{ type: 'PromptSubmitted', data: { turn: s.context.turns + 1, prompt } }];
    }, meta);
    if (!r.ok) throw new HttpError(409, r.reason, r.message ?? r.reason);
    const submitted = r.events[0]!;
    if (submitted.type === 'BudgetExceeded') throw budgetRefusal(submitted.data as BudgetBreach);
    const turn = (submitted.data as { turn: number }).turn;
    return { turn, position: submitted.position, session, result: session.waitForTurn(turn) };
  }

  async cancel(id: string, meta: EventMeta, reason: 'client' | 'mcp' = 'client'): Promise<{ cancelled: boolean; turn: number | null }> {
    const actor = this.actor(id);
    const r = await actor.decide((s) => {
      if (s.status !== 'active') return { reject: 'session_closed', message: `session '${id}' is ${s.value}` };
      const turn = s.context.turn;
      if (!turn || turn.cancelRequested) return [];
      return [{ type: 'TurnCancelRequested', data: { turn: turn.n, reason } }];
    }, meta);
    if (!r.ok) throw new HttpError(409, r.reason, r.message ?? r.reason);
    const ev = r.events[0];
    return { cancelled: ev !== undefined, turn: ev ? (ev.data as { turn: number }).turn : (actor.snapshot().context.turn?.n ?? null) };
  }

  /**
   * A running turn went over a budget: record which (BudgetExceeded) and cancel it (TurnCancelRequested, reason
   * budget), in one append, only while that turn still runs; the turn then ends `budget_exceeded`.
   */
  async cancelForBudget(id: string, turn: number, breach: BudgetBreach): Promise<boolean> {
    const actor = this.actor(id);
    const r = await actor.decide((s) => {
      const t = s.context.turn;
      if (s.status !== 'active' || !t || t.n !== turn || t.cancelRequested) return [];
      return [
        { type: 'BudgetExceeded', data: { action: 'turn_cancelled', turn, ...breach } },
        { type: 'TurnCancelRequested', data: { turn, reason: 'budget', budget: budgetLabel(breach.budget) } },
      ];
    }, { principal: 'system' });
    return r.ok && r.events.length > 0;
  }

  /** Close the session and wait until its agent process is gone. Closing a closed session is a no-op. */
  async close(id: string, meta: EventMeta, reason = 'client'): Promise<void> {
    const actor = this.actor(id);
    const r = await actor.decide((s) => (s.status === 'active' ? [{ type: 'SessionClosed', data: { reason } }] : []), meta);
    if (r.ok && r.events.length === 0 && actor.snapshot().value === 'failed') {
      await this.liveFor(actor).close('failed');
    }
    await this.liveFor(actor).closed;
    await this.releaseWorkspace(actor);
  }

  /**
   * A workspace the gateway made (an empty folder or a clone) lives as long as a session works in it: it is removed
   * when the last open session using it closes (a fork shares its source's workspace).
   */
  private async releaseWorkspace(closed: SessionActor): Promise<void> {
    const ws = closed.snapshot().context.workspace;
    const users = this.actors().filter((a) => a.snapshot().context.workspace === ws);
    if (users.some((a) => a.snapshot().status === 'active') || !users.some((a) => a.snapshot().context.workspaceOwned)) return;
    await removeOwnedWorkspace(this.deps.config, ws).catch((error: Error) =>
      this.deps.logger.warn('could not remove the workspace of a closed session', { session: closed.id, error }),
    );
  }

  /** Change the model mid-session through the agent (capability-gated). */
  async setModel(id: string, model: string, meta: EventMeta): Promise<{ model: string; via: string }> {
    const actor = this.actor(id);
    const session = this.liveFor(actor);
    const snap = actor.snapshot();
    if (snap.status !== 'active') throw new HttpError(409, 'session_closed', `session '${id}' is ${snap.value}`);
    if (snap.value !== 'idle') throw new HttpError(409, 'session_busy', `session '${id}' is prompting; change the model between turns`);
    await session.ensureAttached('reattach').catch((e) => {
      throw e instanceof AttachError ? new HttpError(e.status, e.code, e.message) : e;
    });
    const changed = await session.changeModel(model);
    await actor.decide(() => [{ type: 'ModelChanged', data: { model, via: changed.via } }], meta);
    return { model, via: changed.via };
  }

  // ---- effects -------------------------------------------------------------------------------------------------

  private runEffect(actor: SessionActor, effect: { type: string } & Record<string, unknown>): void {
    const session = this.liveFor(actor);
    const log = (e: Error) => this.deps.logger.error('session effect failed', { session: actor.id, effect: effect.type, error: e });
    switch (effect.type) {
      case 'effect.prompt':
        session.runTurn(effect.turn as number, effect.prompt as unknown[]).catch(log);
        break;
      case 'effect.cancel':
        session.cancelTurn(effect.turn as number, effect.reason as string, effect.budget as string | undefined).catch(log);
        break;
      case 'effect.answerPermission':
        session.answerPermission(effect.approval_id as string, (effect.option_id as string | null) ?? null);
        break;
      case 'effect.close':
        session.close(effect.reason as string).catch(log);
        break;
    }
  }

  /**
   * Shutdown: cancel every running turn (recorded), answer pending permission requests `cancelled`, stop every agent
   * process. Sessions stay open: the next gateway resumes them.
   */
  async stopAll(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => l.shutdown().catch(() => undefined)));
  }
}

/** 429 budget_exceeded: which budget, the usage it measured, when it resets (also as Retry-After). */
function budgetRefusal(b: BudgetBreach): HttpError {
  const headers: Record<string, string> = {};
  if (b.resets_at) headers['retry-after'] = String(Math.max(1, Math.ceil((Date.parse(b.resets_at) - Date.now()) / 1000)));
  return new HttpError(429, 'budget_exceeded', breachMessage(b), headers, { budget: b.budget, usage: b.usage, resets_at: b.resets_at });
}
