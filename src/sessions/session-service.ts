// Session commands as the API surfaces call them: create, prompt, cancel, close, change model, fork. Each command is
// decided by the session actor against its committed state with the kind's one pure decider (session-decide.ts)
// and appended before anything else happens; the effects then run after the commit (session-effects.ts). Refusals
// are domain rejections (Rejected): only the HTTP, WebSocket and MCP edges turn them into their errors.
import type { ActorRuntime } from '../actors/runtime.js';
import type { ActorKind } from '../actors/actor-kind.js';
import type { DecideResult } from '../actors/journaled-actor.js';
import type { EventMeta } from '../store/types.js';
import { Rejected } from '../errors/rejection.js';
import { LiveSession, type SessionActor } from './live-session.js';
import { SessionCapacity } from './session-capacity.js';
import { turnResult, waitForTurnEnded, type TurnResult } from './turn-ledger.js';
import type { SessionDeps } from './session-deps.js';
import { sessionFoldedTypes, sessionMachine } from './session-machine.js';
import { decideSession, type SessionCommand } from './session-decide.js';
import { sessionEffects } from './session-effects.js';
import { SessionSignals } from './session-signals.js';
import { createSession, type CreateSessionInput } from './session-create.js';
import { removeOwnedWorkspace, WorkspaceRoots } from './workspace-roots.js';
import { shapeSessionPrompt, type EmbeddedContext, type PromptMessages } from './session-prompt.js';
import type { ContentBlock } from './prompt-input.js';
import { findAgent } from '../config/agent-lookup.js';
import { breachMessage, type BudgetBreach } from '../usage/budgets.js';
import { forkSession, type ForkInput, type ForkResult } from './session-fork.js';

export type { CreateSessionInput } from './session-create.js';

export interface SubmittedTurn {
  turn: number;
  /** log position of PromptSubmitted */
  position: number;
  session: LiveSession;
  /** the turn's result, from its committed TurnEnded */
  readonly result: Promise<TurnResult>;
  /**
   * The same, as a callback called when the TurnEnded's commit is announced (before that commit's promise jobs):
   * for a caller that answers from it at once (the blocking REST prompt).
   */
  whenEnded(done: (outcome: TurnResult | Error) => void): void;
}

export const SESSION_MACHINE_VERSION = 'session-4';

export class SessionService {
  readonly kind: ActorKind<typeof sessionMachine, SessionCommand>;
  private readonly live = new Map<string, LiveSession>();
  private readonly capacity: SessionCapacity;
  private readonly workspaces: WorkspaceRoots;
  private readonly deps: SessionDeps;
  /** committed outcomes callers wait for (a turn's TurnEnded, a model change's result) */
  readonly signals: SessionSignals;

  constructor(
    private readonly runtime: ActorRuntime,
    deps: Omit<SessionDeps, 'signals'>,
  ) {
    this.signals = new SessionSignals(deps.store);
    this.deps = { ...deps, signals: this.signals };
    this.workspaces = new WorkspaceRoots(deps.config);
    this.capacity = new SessionCapacity(() => this.actors(), deps.config.limits.max_sessions_total);
    this.kind = {
      streamType: 'session',
      machine: sessionMachine,
      machineVersion: SESSION_MACHINE_VERSION,
      foldedTypes: sessionFoldedTypes,
      snapshotEvery: deps.config.store.snapshot_every,
      snapshotWhen: (s) => s.value === 'idle' || s.status === 'done',
      decide: decideSession,
      effects: sessionEffects((actor) => this.liveFor(actor)),
    };
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  actors(): SessionActor[] {
    return this.runtime.list<typeof sessionMachine>('session');
  }

  actor(id: string): SessionActor {
    const a = this.runtime.get<typeof sessionMachine>(`session:${id}`);
    if (!a || a.snapshot().context.id === '') throw new Rejected('session_not_found', `session '${id}' not found`);
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

  // ---- create, fork --------------------------------------------------------------------------------------------

  /**
   * Create a session and attach its agent. The log position of its SessionCreated (where a client that follows the
   * session from its start begins) is `createdPosition` of the actor's context.
   */
  create(input: CreateSessionInput, meta: EventMeta): Promise<SessionActor> {
    return createSession(this.creation, input, meta);
  }

  private get creation() {
    return { runtime: this.runtime, kind: this.kind, deps: this.deps, capacity: this.capacity, workspaces: this.workspaces, liveFor: (a: SessionActor) => this.liveFor(a) };
  }

  /** Fork session `id` (session-fork.ts): a new session whose conversation starts with its own. */
  fork(id: string, input: ForkInput, meta: EventMeta): Promise<ForkResult> {
    return forkSession(this, this.deps.store, id, input, meta);
  }

  // ---- prompt, cancel, model, close ----------------------------------------------------------------------------

  /**
   * The one entry for a prompt from any surface (REST, SSE, POST /stream, WebSocket, MCP): shape the client's
   * messages for the session's agent and submit them.
   */
  prompt(id: string, messages: PromptMessages, embedded: EmbeddedContext | undefined, meta: EventMeta): Promise<SubmittedTurn> {
    const c = this.actor(id).snapshot().context;
    return this.submit(id, shapeSessionPrompt(this.deps.config, this.deps.store, c, messages, embedded), meta);
  }

  /** Append an already shaped prompt (409 when the session is busy or over) and return a handle on the turn's result. */
  async submit(id: string, prompt: ContentBlock[], meta: EventMeta): Promise<SubmittedTurn> {
    const actor = this.actor(id);
    const session = this.liveFor(actor);
    const overBudget = this.deps.budgets?.beforePrompt(id, meta.principal ?? null) ?? null;
    const submitted = (await this.execute(actor, { type: 'prompt', prompt, overBudget }, meta))[0]!;
    if (submitted.type === 'BudgetExceeded') throw budgetRefusal(submitted.data as BudgetBreach);
    const turn = (submitted.data as { turn: number }).turn;
    const signals = this.signals;
    let result: Promise<TurnResult> | undefined;
    return {
      turn,
      position: submitted.position,
      session,
      // made when asked for: a caller that takes the callback leaves no promise behind to reject unheard
      get result() {
        return (result ??= waitForTurnEnded(signals, id, turn));
      },
      whenEnded: (done) => signals.whenTurnEnded(id, turn, (e) => done(e instanceof Error ? e : turnResult(e))),
    };
  }

  async cancel(id: string, meta: EventMeta, reason: 'client' | 'mcp' = 'client'): Promise<{ cancelled: boolean; turn: number | null }> {
    const actor = this.actor(id);
    const ev = (await this.execute(actor, { type: 'cancel', reason }, meta))[0];
    return { cancelled: ev !== undefined, turn: ev ? (ev.data as { turn: number }).turn : (actor.snapshot().context.turn?.n ?? null) };
  }

  /**
   * A running turn went over a budget: record which (BudgetExceeded) and cancel it (TurnCancelRequested, reason
   * budget), in one append, only while that turn still runs; the turn then ends `budget_exceeded`.
   */
  async cancelForBudget(id: string, turn: number, breach: BudgetBreach): Promise<boolean> {
    const r = await this.actor(id).execute<SessionCommand>({ type: 'cancelForBudget', turn, breach }, { principal: 'system' });
    return r.ok && r.events.length > 0;
  }

  /**
   * Close the session and wait until its agent process is gone. Closing a closed session is a no-op; closing a
   * failed one makes sure its agent is stopped. Either way a workspace the gateway made for it is removed.
   */
  async close(id: string, meta: EventMeta, reason = 'client'): Promise<void> {
    const actor = this.actor(id);
    const closed = await this.execute(actor, { type: 'close', reason }, meta);
    if (closed.length === 0 && actor.snapshot().value === 'failed') await this.liveFor(actor).close('failed');
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

  /**
   * Change the model between turns. The request is recorded first (ModelChangeRequested, refused while a turn runs
   * or for a model the agent does not offer); the agent is then switched and the outcome recorded, which this waits
   * for: ModelChanged, or ModelChangeFailed (thrown as the refusal it records).
   */
  async setModel(id: string, model: string, meta: EventMeta): Promise<{ model: string; via: string }> {
    const actor = this.actor(id);
    const [requested] = await this.execute(actor, { type: 'changeModel', model }, meta);
    const outcome = await this.signals.modelChanged(id, requested!.position);
    if (outcome.type === 'ModelChangeFailed') {
      const { error } = outcome.data as { error: { code: string; message: string } };
      throw new Rejected(error.code, error.message);
    }
    return { model, via: (outcome.data as { via: string }).via };
  }

  /** Decide `command` against the session's committed state and append; a refusal is thrown as Rejected. */
  private async execute(actor: SessionActor, command: SessionCommand, meta: EventMeta) {
    const r: DecideResult = await actor.execute(command, meta);
    if (!r.ok) throw Rejected.from(r);
    return r.events;
  }

  /** A cluster node lost the session's lease: its agent is killed, nothing recorded (LiveSession.abandon). */
  abandon(id: string): void {
    const l = this.live.get(id);
    this.live.delete(id);
    l?.abandon();
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
function budgetRefusal(b: BudgetBreach): Rejected {
  const headers: Record<string, string> = {};
  if (b.resets_at) headers['retry-after'] = String(Math.max(1, Math.ceil((Date.parse(b.resets_at) - Date.now()) / 1000)));
  return new Rejected('budget_exceeded', breachMessage(b), { budget: b.budget, usage: b.usage, resets_at: b.resets_at }, headers);
}
