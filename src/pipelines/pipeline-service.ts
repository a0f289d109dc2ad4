// Pipelines: steps run one after the other, each an ordinary session in the pipeline's shared workspace, the answer
// of one feeding the template of the next. The pipeline is a journaled actor (`pipeline:<id>`): every step's session
// link and end are recorded, the next step runs only after the previous end is committed (the machine emits it), and
// a restart finds a run no process drives any more and records it interrupted; only `resume` runs it again.
import { randomUUID } from 'node:crypto';
import type { ActorRuntime } from '../actors/runtime.js';
import type { ActorKind } from '../actors/actor-kind.js';
import type { JournaledActor } from '../actors/journaled-actor.js';
import type { AintegrixConfig } from '../config/index.js';
import type { EventMeta } from '../store/types.js';
import type { Logger } from '../log/logger.js';
import { Rejected } from '../errors/rejection.js';
import { removeOwnedWorkspace, WorkspaceRoots } from '../sessions/workspace-roots.js';
import type { StepSessions } from '../multiagent/session-port.js';
import { runSessionStep } from '../multiagent/session-step.js';
import type { ActorRun } from '../multiagent/actor-sse.js';
import type { MultiAgentService } from '../multiagent/actor-routes.js';
import { pipelineFoldedTypes, pipelineMachine } from './pipeline-machine.js';
import { decidePipeline, type PipelineCommand } from './pipeline-decide.js';
import { checkTemplate, renderTemplate } from './pipeline-template.js';
import { pipelineSseFormat, pipelineView, type PipelineView } from './pipeline-view.js';

export type PipelineActor = JournaledActor<typeof pipelineMachine>;

export interface PipelineStepInput {
  agent: string;
  prompt_template?: string;
  model?: string;
}

export interface PipelineInput {
  steps: PipelineStepInput[];
  /** the request's text ({{input}}) */
  input: string;
  workspace_root?: string;
}

export interface PipelineDeps {
  config: AintegrixConfig;
  logger: Logger;
  /** the session port (available once the gateway's services exist) */
  sessions: () => StepSessions;
}

/** What runs in this process for one pipeline: the step in flight. */
interface LiveRun {
  abort: AbortController;
  /** settles when the step's end is recorded (or given up) */
  settled: Promise<void>;
}

export class PipelineService implements MultiAgentService {
  readonly collection = 'pipelines';
  readonly streamType = 'pipeline';
  readonly sse = pipelineSseFormat;
  readonly kind: ActorKind<typeof pipelineMachine, PipelineCommand>;
  private readonly live = new Map<string, LiveRun>();
  private readonly waiters = new Map<string, (() => boolean)[]>();
  /** the command metadata of the request that started (or resumed) a run: its steps' commands carry it */
  private readonly metas = new Map<string, EventMeta>();
  /** the removal of a deleted pipeline's workspace, which DELETE answers after */
  private readonly cleanups = new Map<string, Promise<void>>();
  private readonly workspaces: WorkspaceRoots;
  private stopping = false;

  constructor(
    private readonly runtime: ActorRuntime,
    private readonly deps: PipelineDeps,
  ) {
    this.workspaces = new WorkspaceRoots(deps.config);
    this.kind = {
      streamType: 'pipeline',
      machine: pipelineMachine,
      machineVersion: 'pipeline-1',
      foldedTypes: pipelineFoldedTypes,
      snapshotWhen: (s) => s.value !== 'running',
      decide: decidePipeline,
      effects: {
        'pipeline.runStep': (actor, effect) => this.runStep(actor, effect.step),
        'pipeline.cancel': (actor) => this.live.get(actor.id)?.abort.abort(),
        'pipeline.removeWorkspace': (actor) => {
          const done = this.removeWorkspace(actor);
          this.cleanups.set(actor.id, done.catch(() => undefined));
          return done;
        },
      },
    };
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  actor(id: string): PipelineActor {
    const a = this.runtime.get<typeof pipelineMachine>(`pipeline:${id}`);
    if (!a || a.snapshot().context.id === '') throw new Rejected('pipeline_not_found', `pipeline '${id}' not found`);
    return a;
  }

  list(): PipelineView[] {
    return this.runtime.list<typeof pipelineMachine>('pipeline').map((a) => pipelineView(a.snapshot().context));
  }

  get(id: string): PipelineView {
    return pipelineView(this.actor(id).snapshot().context);
  }

  // ---- commands ------------------------------------------------------------------------------------------------

  /** Check everything (agents, placeholders, the workspace) before anything starts, then start the first step. */
  async start(input: PipelineInput, meta: EventMeta): Promise<ActorRun> {
    const sessions = this.deps.sessions();
    input.steps.forEach((s, i) => {
      if (!sessions.agentExists(s.agent)) throw new Rejected('agent_not_found', `steps[${i}].agent: agent '${s.agent}' not configured`, { agent: s.agent, step: i + 1 });
    });
    input.steps.forEach((s, i) => {
      if (s.prompt_template !== undefined) checkTemplate(s.prompt_template, i + 1);
    });
    const id = `pl_${randomUUID()}`;
    const given = input.workspace_root !== undefined ? await this.workspaces.check(input.workspace_root) : undefined;
    const workspace = given ?? (await this.workspaces.own(`pipeline-${id}`));
    this.metas.set(id, meta);
    const actor = await this.runtime.create(
      this.kind,
      id,
      [
        {
          type: 'PipelineStarted',
          data: {
            id,
            steps: input.steps.map((s) => ({ agent: s.agent, prompt_template: s.prompt_template ?? null, model: s.model ?? null })),
            input: input.input,
            workspace,
            workspace_owned: given === undefined,
          },
        },
      ],
      meta,
    );
    const first = this.runtime.store.readStream(actor.streamId, 1, 1)[0]!;
    return { id, after: first.position - 1, done: this.whenEnded(id) };
  }

  async resume(id: string, meta: EventMeta): Promise<ActorRun> {
    const actor = this.actor(id);
    this.metas.set(id, meta);
    const r = await actor.execute<PipelineCommand>({ type: 'resume' }, meta);
    if (!r.ok) throw Rejected.from(r);
    return { id, after: r.events[0]!.position - 1, done: this.whenEnded(id) };
  }

  /** Cancel the running step (its session is closed), skip the rest, remove the workspace the gateway made. */
  async remove(id: string, meta: EventMeta): Promise<void> {
    const actor = this.actor(id);
    const r = await actor.execute<PipelineCommand>({ type: 'delete' }, meta);
    if (!r.ok) throw Rejected.from(r);
    await this.live.get(id)?.settled;
    await this.cleanups.get(id);
    this.cleanups.delete(id);
  }

  /**
   * Boot: a run that was going when the last process stopped has nobody driving it. Its running step is recorded
   * interrupted and the pipeline ends interrupted; nothing runs again until a client resumes it.
   */
  async interruptAtBoot(reason: string): Promise<number> {
    let n = 0;
    for (const a of this.runtime.list<typeof pipelineMachine>('pipeline')) if (await this.interrupt(a, reason)) n++;
    return n;
  }

  /** A cluster node took this pipeline over from a node that stopped: recorded interrupted, as at a boot. */
  async interruptTakenOver(id: string, reason: string): Promise<boolean> {
    const a = this.runtime.get<typeof pipelineMachine>(`pipeline:${id}`);
    return a !== undefined && (await this.interrupt(a, reason));
  }

  private async interrupt(a: JournaledActor<typeof pipelineMachine>, reason: string): Promise<boolean> {
    const meta = { principal: 'system' };
    if (a.snapshot().value !== 'running') return false;
    const r = await a.execute<PipelineCommand>({ type: 'interrupt', reason }, meta);
    if (!r.ok || r.events.length === 0) return false;
    // the interrupted step's session (its turn interrupted by session recovery) is done with: a resume starts anew
    for (const e of r.events) {
      const sessionId = e.type === 'StepEnded' ? (e.data as { session_id: string | null }).session_id : null;
      if (sessionId) await this.deps.sessions().close(sessionId, meta, 'pipeline_interrupted').catch(() => undefined);
    }
    return true;
  }

  /**
   * Shutdown: the steps' sessions are stopped with the gateway; what they report then is not the step's end (the
   * next gateway records the run interrupted), so nothing more is recorded from here.
   */
  shutdown(): void {
    this.stopping = true;
  }

  /** Resolves with the pipeline's view once its run has ended (ended, interrupted or deleted). */
  whenEnded(id: string): Promise<PipelineView> {
    return new Promise((resolve) => {
      const check = () => {
        const a = this.actor(id);
        if (a.snapshot().value === 'running') return false;
        resolve(pipelineView(a.snapshot().context));
        return true;
      };
      if (check()) return;
      this.wait(id, check);
    });
  }

  // ---- effects -------------------------------------------------------------------------------------------------

  private runStep(actor: PipelineActor, step: number): void {
    if (this.stopping) return;
    const ctx = actor.snapshot().context;
    const spec = ctx.steps[step - 1]!;
    const prompt = renderTemplate(spec.prompt_template, step, ctx.input, ctx.steps.map((s) => s.text));
    const meta: EventMeta = { ...(this.metas.get(actor.id) ?? { principal: 'system' }), pipeline: actor.id, pipeline_step: step };
    const abort = new AbortController();
    const settled = (async () => {
      const r = await runSessionStep(this.deps.sessions(), {
        origin: 'pipeline',
        agent: spec.agent,
        ...(spec.model ? { model: spec.model } : {}),
        workspace_root: ctx.workspace,
        prompt,
        meta,
        signal: abort.signal,
        onSession: async (session_id) => {
          const d = await actor.execute<PipelineCommand>({ type: 'stepStarted', step, agent: spec.agent, session_id, prompt }, meta);
          if (!d.ok) abort.abort(); // deleted meanwhile: the session is closed without a prompt
        },
      });
      if (this.stopping) return;
      const { agent: _agent, ...rest } = r;
      await actor.execute<PipelineCommand>({ type: 'stepEnded', result: { step, ...rest, error: r.error ?? null } }, meta);
    })()
      .catch((e: Error) => this.deps.logger.error('pipeline step failed', { pipeline: actor.id, step, error: e }))
      .finally(() => {
        if (this.live.get(actor.id)?.abort === abort) this.live.delete(actor.id);
        this.notify(actor.id);
      });
    this.live.set(actor.id, { abort, settled });
  }

  private async removeWorkspace(actor: PipelineActor): Promise<void> {
    const ctx = actor.snapshot().context;
    await this.live.get(actor.id)?.settled; // after the cancelled step's session is closed
    this.notify(actor.id);
    if (!ctx.workspaceOwned) return;
    await removeOwnedWorkspace(this.deps.config, ctx.workspace).catch((error: Error) =>
      this.deps.logger.warn('could not remove the workspace of a deleted pipeline', { pipeline: actor.id, error }),
    );
  }

  /** `check` runs whenever a step of `id` settles, until it returns true. */
  private wait(id: string, check: () => boolean): void {
    const list = this.waiters.get(id) ?? [];
    list.push(check);
    this.waiters.set(id, list);
  }

  private notify(id: string): void {
    const list = this.waiters.get(id);
    if (!list) return;
    this.waiters.delete(id);
    for (const check of list) if (!check()) this.wait(id, check);
  }
}
