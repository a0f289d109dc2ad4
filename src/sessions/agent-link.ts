// The agent link of one session: its agent process (started and stopped through the agent-process actor, so each
// start and stop is on record before it happens), the connection to it, the tap on its traffic, and the attach.
// It keeps no count of its own: restart numbers and the crash back-off are read from the log (agent-restarts.ts).
import type { AgentConnection, ClientMethodHandlers, ExitInfo } from '../acp/agent-connection.js';
import type { AgentProcessCommand } from '../agents/agent-process-kind.js';
import type { RunningProcess } from '../agents/agent-processes.js';
import type { AgentConfig } from '../config/index.js';
import type { AgentSandbox } from '../sandbox/agent-sandbox.js';
import { terminateInside } from '../sandbox/stop-inside.js';
import type { RecordOptions } from '../actors/journaled-actor.js';
import type { NewEvent, RecordedEvent } from '../store/types.js';
import type { AnyMessage } from '@agentclientprotocol/sdk';
import { attachAgent } from './agent-attach.js';
import { crashHistory, RESTART_BACKOFF_MS, waitForRestart } from './agent-restarts.js';
import type { SessionActor } from './live-session.js';
import type { SessionDeps } from './session-deps.js';
import { SessionTap } from './session-tap.js';
import { buildTranscript } from './transcript.js';

export interface AgentLinkHost {
  readonly actor: SessionActor;
  readonly deps: SessionDeps;
  readonly agentConfig: AgentConfig;
  readonly sandbox: AgentSandbox | undefined;
  /** the agent's environment (in a sandbox: with the sandbox's HOME and TMPDIR) */
  readonly env: Record<string, string>;
  readonly handlers: ClientMethodHandlers;
  /** append to the session's stream */
  record(events: NewEvent[], principal?: string, options?: RecordOptions): Promise<RecordedEvent[]>;
  /** the running turn reads the agent's traffic */
  observe(message: AnyMessage): void;
  /** the attached process exited without being released (it crashed, or was killed): called once per process */
  exited(info: ExitInfo, process: string): void;
}

/** How a released process ended, and which it was. */
export interface Released {
  info: ExitInfo;
  process: string;
}

export class AgentLink {
  readonly tap: SessionTap;
  private current: RunningProcess | null = null;
  private attaching: Promise<void> | null = null;

  constructor(private readonly host: AgentLinkHost) {
    const ctx = host.actor.snapshot().context;
    this.tap = new SessionTap({
      sessionId: ctx.id,
      logger: host.deps.logger,
      record: (events, options) => host.record(events, undefined, options),
      failed: () => host.actor.broken !== undefined || host.actor.snapshot().value === 'failed',
      recordRefusal: (data) =>
        this.current?.process.record([{ type: 'ClientCallRefused', data }], { principal: 'system' }) ?? Promise.reject(new Error('no agent process stream yet')),
      observe: (msg) => host.observe(msg),
    });
  }

  /** The connection to the attached agent, null when none is attached. */
  get connection(): AgentConnection | null {
    return this.current?.connection ?? null;
  }

  get alive(): boolean {
    return this.current?.connection.alive === true;
  }

  /** The connection of an agent that serves the session now (alive and attached), else null. */
  get attached(): AgentConnection | null {
    return this.alive && this.host.actor.snapshot().context.attached ? this.current!.connection : null;
  }

  /** Make sure an agent process serves this session (starting one if needed). */
  ensureAttached(cause: 'create' | 'reattach'): Promise<void> {
    if (this.attached) return Promise.resolve();
    this.attaching ??= this.attach(cause).finally(() => {
      this.attaching = null;
    });
    return this.attaching;
  }

  private async attach(cause: 'create' | 'reattach'): Promise<void> {
    const { actor, deps } = this.host;
    const ctx = actor.snapshot().context;
    await waitForRestart(crashHistory(deps.store, actor.streamId, ctx), deps.restartBackoffMs ?? RESTART_BACKOFF_MS, ctx.agent, deps.now);
    const running = await attachAgent(
      {
        context: actor.snapshot().context,
        agentConfig: this.host.agentConfig,
        mcpServers: deps.mcpServersFor(ctx),
        timeouts: { initMs: deps.config.server.init_timeout_secs * 1000, primingMs: deps.config.server.prompt_timeout_secs * 1000 },
        tap: this.tap,
        spawn: () => this.spawn(),
        stop: (r) => deps.processes.stop(r.process, r.connection, 'attach_failed', 1000),
        record: (events) => this.host.record(events),
        transcript: (reason) => {
          const r = deps.config.recovery;
          const before = actor.snapshot().context.turn?.position ?? Infinity;
          return buildTranscript(deps.store, actor.streamId, r.transcript_max_events, r.transcript_max_chars, before, reason);
        },
      },
      cause,
    );
    this.current = running;
    void running.connection.exited.then((info) => {
      if (this.current !== running) return; // released: whoever released it records the outcome
      this.current = null;
      this.host.exited(info, running.process.streamId);
    });
  }

  /** Ask the agent-process actor for a process (restart: the number of agents attached so far, from the log). */
  private async spawn(): Promise<RunningProcess> {
    const { deps, sandbox, agentConfig: cfg } = this.host;
    const ctx = this.host.actor.snapshot().context;
    const run = sandbox ? await sandbox.wrapAgent(this.host.env, ctx.workspace) : { file: cfg.command, args: cfg.args, cwd: ctx.workspace, env: this.host.env };
    return deps.processes.spawn(
      { agent: ctx.agent, session: ctx.id, command: cfg.command, args: cfg.args, cwd: ctx.workspace, restart: ctx.attachCount, sandbox: cfg.sandbox.type },
      {
        command: run.file,
        args: run.args,
        cwd: run.cwd,
        env: run.env,
        askToStop: sandbox ? terminateInside : undefined,
        handlers: this.host.handlers,
        tap: this.tap,
      },
    );
  }

  /**
   * Take the process off the session and stop it (through its actor: the stop request is committed first); resolves
   * with how it ended, or null when no process was attached. The first caller gets the process; its exit is then
   * reported to that caller only, not to `exited`.
   */
  async release(reason: AgentProcessCommand['reason'], graceMs: number): Promise<Released | null> {
    const running = this.current;
    if (!running) return null;
    this.current = null;
    const info = await this.host.deps.processes.stop(running.process, running.connection, reason, graceMs);
    return { info, process: running.process.streamId };
  }
}
