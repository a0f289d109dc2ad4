// Orchestrations as the API surfaces call them: start (admission all or nothing, worktrees, then
// OrchestrationStarted, whose effect runs the candidates), list, read, remove, resume, the boot-time interrupt and
// the shutdown. The coordination runs in the kind's effect handlers (candidate-runner.ts, jury.ts); sessions are
// reached through the shared port (src/multiagent/session-port.ts). The generic routes (src/multiagent/actor-routes.ts)
// serve list, get, events, delete and resume from this MultiAgentService.
import { randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ActorRuntime } from '../actors/runtime.js';
import type { ActorKind } from '../actors/actor-kind.js';
import { foldStream } from '../actors/replay.js';
import type { EventMeta, EventStore } from '../store/types.js';
import type { Logger } from '../log/logger.js';
import type { AintegrixConfig } from '../config/index.js';
import { Rejected } from '../errors/rejection.js';
import { Deferred } from '../sessions/deferred.js';
import { WorkspaceRoots } from '../sessions/workspace-roots.js';
import type { StepSessions } from '../multiagent/session-port.js';
import type { ActorRun } from '../multiagent/actor-sse.js';
import type { MultiAgentService } from '../multiagent/actor-routes.js';
import type { OrchestrationCommand } from './orchestration-decide.js';
import type { orchestrationMachine } from './orchestration-machine.js';
import { orchestrationKind, type OrchestrationActor } from './orchestration-kind.js';
import { admitOrchestration } from './admission.js';
import { shuffledLabels } from './labels.js';
import { cancelCandidates, runCandidate, type RunnerDeps } from './candidate-runner.js';
import { runJury } from './jury.js';
import { GitWorktrees, type Worktree } from './worktrees.js';
import type { OrchestrateRequest } from './orchestrate-request.js';
import { isEnded, running } from './orchestration-state.js';
import { orchestrationSummary, orchestrationView } from './orchestration-view.js';
import { orchestrationSseFormat } from './orchestration-sse.js';

export interface OrchestrationDeps {
  config: AintegrixConfig;
  store: EventStore;
  logger: Logger;
  /** the shared session port; a getter because the port needs the gateway's services, made after the kinds */
  sessions(): StepSessions;
  gatewayEnv: Readonly<Record<string, string | undefined>>;
}

export class OrchestrationService implements MultiAgentService {
  readonly collection = 'orchestrations';
  readonly streamType = 'orchestration';
  readonly kind: ActorKind<typeof orchestrationMachine, OrchestrationCommand>;
  readonly worktrees: GitWorktrees;
  readonly sse = orchestrationSseFormat({
    agentOf: (streamId, label) => this.runtime.get<typeof orchestrationMachine>(streamId)?.snapshot().context.candidates.find((c) => c.label === label)?.agent,
    // folded from the log: the stream's subscriber may see the end before the live actor has folded it
    finalBody: (e) => orchestrationView(foldStream(this.runtime.store, this.runtime.catalogue, this.kind, e.streamId).snapshot.context),
  });
  private readonly workspaces: WorkspaceRoots;
  private readonly ends = new Map<string, Deferred<void>>();
  private readonly cleanups = new Map<string, Promise<void>>();
  private readonly runner: RunnerDeps;
  private stopping = false;

  constructor(
    private readonly runtime: ActorRuntime,
    private readonly deps: OrchestrationDeps,
  ) {
    this.workspaces = new WorkspaceRoots(deps.config);
    this.worktrees = new GitWorktrees(join(deps.config.workspaces.dir, 'orchestrations'), deps.gatewayEnv);
    this.runner = {
      sessions: deps.sessions,
      worktrees: this.worktrees,
      logger: deps.logger,
      metaOf: (a) => this.metaOf(a),
      runs: new Map(),
      stopping: () => this.stopping,
    };
    this.kind = orchestrationKind({
      'effect.runCandidates': (actor, e) => {
        for (const label of e.labels) void runCandidate(actor, label, this.runner).catch((error: Error) => this.failed(actor, 'candidate', error));
      },
      'effect.cancelCandidates': (actor, e) => cancelCandidates(actor, e.labels, this.runner),
      'effect.judge': (actor) => runJury(actor, this.runner).catch((error: Error) => this.failed(actor, 'jury', error)),
      'effect.ended': (actor) => this.settle(actor.id),
      'effect.cleanup': (actor) => {
        const done = this.cleanUp(actor);
        this.cleanups.set(actor.id, done);
        return done;
      },
    });
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  /** Live orchestrations (deleted ones are gone), in creation order. */
  actors(): OrchestrationActor[] {
    return this.runtime.list<typeof orchestrationMachine>('orchestration').filter((a) => a.snapshot().context.id !== '' && a.snapshot().context.status !== 'deleted');
  }

  list(): unknown[] {
    return this.actors().map((a) => orchestrationSummary(a.snapshot().context));
  }

  get(id: string): unknown {
    return orchestrationView(this.actor(id).snapshot().context);
  }

  actor(id: string): OrchestrationActor {
    const a = this.runtime.get<typeof orchestrationMachine>(`orchestration:${id}`);
    if (!a || a.snapshot().context.id === '' || a.snapshot().context.status === 'deleted') {
      throw new Rejected('orchestration_not_found', `orchestration '${id}' not found`);
    }
    return a;
  }

  // ---- commands ------------------------------------------------------------------------------------------------

  /** Admit the request (nothing exists before every check passed), make the worktrees, record OrchestrationStarted. */
  async start(req: OrchestrateRequest, meta: EventMeta): Promise<ActorRun> {
    const { config } = this.deps;
    admitOrchestration(req, this.deps.sessions(), { max_candidates: config.limits.max_candidates, max_sessions_total: config.limits.max_sessions_total });
    const root = req.workspace_root ? await this.workspaces.check(req.workspace_root) : undefined;
    const repo = root ? await this.worktrees.repositoryAt(root) : undefined;
    const id = randomUUID();
    const seed = randomInt(0, 2 ** 31);
    const labels = shuffledLabels(req.agents.length, seed);
    const made: Worktree[] = [];
    try {
      // isolation: the workspace is the top of a git repository, so each candidate gets a worktree of its own
      if (root !== undefined && repo === root) for (const label of labels) made.push(await this.worktrees.add(root, id, label));
      const started = {
        id,
        strategy: req.strategy,
        candidates: req.agents.map((agent, i) => ({ label: labels[i]!, agent, ...(made[i] ? { worktree: made[i] } : {}) })),
        judge: req.judge ?? null,
        judge_mode: req.judge_mode ?? null,
        seed,
        label_order: labels,
        messages: req.messages,
        model: req.model ?? null,
        timeout_secs: req.timeout_secs ?? null,
        workspace_root: made.length > 0 ? null : (root ?? null),
      };
      const run = this.runOf(id);
      const actor = await this.runtime.create(this.kind, id, [{ type: 'OrchestrationStarted', data: started }], meta);
      return { ...run, after: this.deps.store.readStream(actor.streamId, 1, 1)[0]!.position - 1 };
    } catch (e) {
      this.ends.delete(id);
      if (made.length > 0) await this.worktrees.removeAll(id, made).catch(() => undefined);
      throw e;
    }
  }

  /** Cancel what runs, close every session it opened, remove its worktrees; then it is gone from the API. */
  async remove(id: string, meta: EventMeta): Promise<void> {
    const r = await this.actor(id).execute({ type: 'delete' }, meta);
    if (!r.ok) throw Rejected.from(r);
    await this.cleanups.get(id);
    this.cleanups.delete(id);
    this.settle(id);
  }

  /** Re-run what a restart interrupted (candidates, or the judge of a jury whose candidates all ended). */
  async resume(id: string, meta: EventMeta): Promise<ActorRun> {
    const a = this.actor(id);
    const after = this.deps.store.headPosition();
    const run = this.runOf(id);
    const r = await a.execute({ type: 'resume' }, meta);
    if (!r.ok) {
      this.ends.delete(id);
      throw Rejected.from(r);
    }
    return { ...run, after };
  }

  /** Boot: an orchestration that was running when the gateway stopped is interrupted (recorded, saying which). */
  async interruptAtBoot(): Promise<number> {
    let n = 0;
    for (const a of this.actors()) if (await this.interrupt(a)) n++;
    return n;
  }

  /** A cluster node took this orchestration over from a node that stopped: recorded interrupted, as at a boot. */
  async interruptTakenOver(id: string): Promise<boolean> {
    const a = this.runtime.get<typeof orchestrationMachine>(`orchestration:${id}`);
    return a !== undefined && a.snapshot().context.id !== '' && (await this.interrupt(a));
  }

  private async interrupt(a: OrchestrationActor): Promise<boolean> {
    if (isEnded(a.snapshot().context)) return false;
    const r = await a.execute({ type: 'interrupt' }, { principal: 'system' });
    return r.ok && r.events.length > 0;
  }

  /** Shutdown: nothing more is recorded from candidates and judges (the next boot records what ran interrupted). */
  shutdown(): void {
    this.stopping = true;
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  /** A run's handle: `done` is its final body once OrchestrationEnded is committed (404 if it was deleted). */
  private runOf(id: string): Omit<ActorRun, 'after'> {
    const d = new Deferred<void>();
    this.ends.set(id, d);
    return { id, done: d.promise.then(() => this.get(id)) };
  }

  private settle(id: string): void {
    this.ends.get(id)?.resolve();
    this.ends.delete(id);
  }

  private async cleanUp(actor: OrchestrationActor): Promise<void> {
    const ctx = actor.snapshot().context;
    const meta = this.metaOf(actor);
    const sessions = this.deps.sessions();
    await cancelCandidates(actor, running(ctx).map((c) => c.label), this.runner);
    const opened = [...ctx.candidates.flatMap((c) => c.sessions), ...ctx.matches.flatMap((m) => m.judgeSessions)];
    await Promise.all(opened.map((s) => sessions.close(s, meta, 'orchestration_deleted').catch(() => undefined)));
    const worktrees = ctx.candidates.flatMap((c) => (c.worktree ? [c.worktree] : []));
    if (worktrees.length > 0) await this.worktrees.removeAll(ctx.id, worktrees);
  }

  /** Who started it, and which orchestration: the prompts and closes it makes carry them (budgets, usage, audit). */
  private metaOf(actor: OrchestrationActor): EventMeta {
    const first = this.deps.store.readStream(actor.streamId, 1, 1)[0];
    return { principal: first?.meta.principal ?? 'system', orchestration: actor.id, correlation: actor.streamId };
  }

  private failed(actor: OrchestrationActor, what: string, error: Error): void {
    this.deps.logger.error(`orchestration ${what} failed`, { orchestration: actor.id, error });
  }
}
