// The live side of one session: its agent process, terminals, permission broker and running turn. It executes the
// effects the session machine emits (prompt, cancel, answer a permission request, close) and records their
// outcomes; it holds no session state of its own that a restart would need (that is all in the log).
import type { AgentConnection, ExitInfo } from '../acp/agent-connection.js';
import type { JournaledActor } from '../actors/journaled-actor.js';
import type { AppendOptions, NewEvent, RecordedEvent } from '../store/types.js';
import { TerminalManager } from '../workspace/index.js';
import type { AgentSandbox } from '../sandbox/agent-sandbox.js';
import type { PermissionRule } from '../permissions/index.js';
import { attachAgent } from './agent-attach.js';
import { AttachError, errorText } from './attach-error.js';
import { switchModel } from './agent-models.js';
import { clientMethodHandlers } from './client-methods.js';
import { PermissionBroker } from './permission-broker.js';
import { SessionTap } from './session-tap.js';
import { terminalLifecycle } from './terminal-records.js';
import type { SessionDeps } from './session-deps.js';
import type { sessionMachine, SessionContext } from './session-machine.js';
import { TurnCollector } from './turn-collector.js';
import { TurnLedger, type TurnEnding, type TurnResult } from './turn-ledger.js';
import { buildTranscript } from './transcript.js';
import { findAgent } from '../config/agent-lookup.js';

export type SessionActor = JournaledActor<typeof sessionMachine>;

/** Back-off before the n-th restart after consecutive crashes (1, 2, 4, 8, 16 s); after that the session fails. */
export const RESTART_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000];

export class LiveSession {
  connection: AgentConnection | null = null;
  private processStream: string | null = null;
  /** the stream of the agent process serving this session (refused calls are recorded there) */
  private processActor: JournaledActor | null = null;
  private attaching: Promise<void> | null = null;
  private readonly broker: PermissionBroker;
  private readonly terminals: TerminalManager;
  private readonly sandbox: AgentSandbox | undefined;
  private collector: TurnCollector | null = null;
  private readonly turns: TurnLedger;
  private cancelGrace: NodeJS.Timeout | undefined;
  private promptTimer: NodeJS.Timeout | undefined;
  private readonly tap: SessionTap;
  private crashes = 0;
  private lastExitAt = 0;
  private restarts = 0;
  private restartAfterTurn = false;
  private closing: Promise<void> | null = null;

  constructor(
    readonly actor: SessionActor,
    private readonly deps: SessionDeps,
  ) {
    const ctx = this.context;
    const limits = deps.config.limits;
    this.turns = new TurnLedger((events) => this.record(events, 'system'));
    // the agent and the terminals it asks for run in the same sandbox: a terminal must not reach what the agent cannot
    this.sandbox = deps.sandboxFor(ctx);
    const sandbox = this.sandbox;
    this.terminals = new TerminalManager({
      workspaceRoot: ctx.workspace,
      baseEnv: this.agentEnv(),
      wrapSpawn: sandbox && ((spec) => sandbox.wrap(spec)),
      defaultOutputByteLimit: Math.min(64 * 1024, limits.terminal_output_bytes),
      maxOutputByteLimit: limits.terminal_output_bytes,
      commandPath: deps.config.permissions.command_path,
      lifecycle: terminalLifecycle((events, options) => this.record(events, 'system', options)),
    });
    this.broker = new PermissionBroker({
      agent: ctx.agent,
      workspace: ctx.workspace,
      policy: deps.policy,
      approvalTimeoutSecs: deps.config.permissions.approval_timeout_secs,
      currentTurn: () => this.context.turn?.n ?? null,
      sessionRules: () => this.context.sessionRules as PermissionRule[],
      record: (events) => this.record(events),
      decideIfPending: (event) => this.actor.decideEvent(event, { principal: 'system' }),
      registerApproval: (id) => deps.approvals.set(id, ctx.id),
      now: () => deps.now(),
    });
    this.tap = new SessionTap({
      sessionId: ctx.id,
      logger: deps.logger,
      record: (events, options) => this.record(events, undefined, options),
      failed: () => this.actor.broken !== undefined || this.actor.snapshot().value === 'failed',
      recordRefusal: (data) => this.processActor?.record([{ type: 'ClientCallRefused', data }], { principal: 'system' }) ?? Promise.reject(new Error('no agent process stream yet')),
      observe: (msg) => this.collector?.observe(msg),
    });
  }

  get id(): string {
    return this.context.id;
  }

  get context(): SessionContext {
    return this.actor.snapshot().context;
  }

  /** The agent's environment; in a sandbox with the sandbox's HOME and TMPDIR. */
  private agentEnv(): Record<string, string> {
    const env = this.deps.agentEnv(this.context.agent);
    return this.sandbox ? this.sandbox.env(env) : env;
  }

  private get agentConfig() {
    return findAgent(this.deps.config, this.context.agent)!;
  }

  record(events: NewEvent[], principal = `agent:${this.context.agent}`, options?: AppendOptions): Promise<RecordedEvent[]> {
    return this.actor.record(events, { principal }, options);
  }

  // ---- attaching the agent -------------------------------------------------------------------------------------

  /** Make sure an agent process serves this session (spawning one if needed). */
  ensureAttached(cause: 'create' | 'reattach'): Promise<void> {
    if (this.connection?.alive && this.context.attached) return Promise.resolve();
    if (!this.attaching) {
      this.attaching = this.attach(cause).finally(() => {
        this.attaching = null;
      });
    }
    return this.attaching;
  }

  private async attach(cause: 'create' | 'reattach'): Promise<void> {
    const backoff = this.deps.restartBackoffMs ?? RESTART_BACKOFF_MS;
    if (this.crashes > backoff.length) {
      throw new AttachError('agent_failed', `agent '${this.context.agent}' crashed ${this.crashes} times in a row; giving up`);
    }
    if (this.crashes > 0) {
      const wait = this.lastExitAt + backoff[this.crashes - 1]! - this.deps.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const agent = this.context.agent;
    const { connection, process } = await attachAgent(
      {
        context: this.context,
        agentConfig: this.agentConfig,
        env: this.agentEnv(),
        sandbox: this.sandbox,
        mcpServers: this.deps.mcpServersFor(this.context),
        initTimeoutMs: this.deps.config.server.init_timeout_secs * 1000,
        handlers: clientMethodHandlers({
          workspace: this.context.workspace,
          broker: this.broker,
          terminals: this.terminals,
          fsMaxReadBytes: this.deps.config.limits.fs_max_read_bytes,
          fsMaxWriteBytes: this.deps.config.limits.fs_max_write_bytes,
        }),
        tap: this.tap,
        restart: this.restarts,
        createProcessStream: async (events) => (this.processActor = await this.deps.createProcessStream(agent, events)),
        record: (events) => this.record(events),
        setReplaying: (on) => this.tap.setReplaying(on),
        setPriming: (on) => this.tap.setPriming(on),
        transcript: (reason) => {
          const r = this.deps.config.recovery;
          const before = this.context.turn?.position ?? Infinity;
          return buildTranscript(this.deps.store, this.actor.streamId, r.transcript_max_events, r.transcript_max_chars, before, reason);
        },
        primingTimeoutMs: this.deps.config.server.prompt_timeout_secs * 1000,
      },
      cause,
    );
    this.restarts++;
    this.connection = connection;
    this.processStream = process.streamId;
    void connection.exited.then((info) => this.onExit(connection, info));
  }

  // ---- turns ---------------------------------------------------------------------------------------------------

  /** Resolves when turn `n` has ended (its TurnEnded committed). */
  waitForTurn(n: number): Promise<TurnResult> {
    return this.turns.waitFor(n);
  }

  /** effect.prompt: run turn `n`. */
  async runTurn(n: number, prompt: unknown[]): Promise<void> {
    const collector = new TurnCollector(n);
    this.collector = collector;
    try {
      await this.ensureAttached('reattach');
    } catch (e) {
      const err = e instanceof AttachError ? e : new AttachError('spawn_failed', errorText(e));
      await this.endTurn(n, { outcome: 'failed', stop_reason: null, error: { code: err.code, message: err.message } });
      if (err.code === 'agent_failed' || !this.agentConfig.auto_restart) await this.fail(err.code, err.message);
      return;
    }
    const conn = this.connection!;
    const acpSessionId = this.context.acpSessionId!;
    this.promptTimer = setTimeout(() => void this.timeOut(n), this.deps.config.server.prompt_timeout_secs * 1000);
    this.promptTimer.unref();
    try {
      const res = await conn.request<{ stopReason?: string; usage?: unknown }>('session/prompt', { sessionId: acpSessionId, prompt });
      const stop = typeof res?.stopReason === 'string' ? res.stopReason : 'end_turn';
      const cancelledFor = this.context.turn?.cancelRequested ? this.cancelReason : null;
      const timedOut = cancelledFor === 'timeout';
      const overBudget = cancelledFor === 'budget' && stop === 'cancelled';
      await this.endTurn(n, {
        outcome: timedOut ? 'timeout' : overBudget ? 'budget_exceeded' : stop === 'cancelled' ? 'cancelled' : 'completed',
        stop_reason: stop,
        usage: collector.usageWith(res?.usage),
        error: timedOut
          ? { code: 'prompt_timeout', message: `the turn exceeded ${this.deps.config.server.prompt_timeout_secs} s and was cancelled` }
          : overBudget
            ? this.budgetError()
            : null,
      });
      if (!timedOut && stop !== 'cancelled') this.crashes = 0;
    } catch (e) {
      if (!conn.alive || /connection closed/i.test(errorText(e))) return; // onExit ends the turn with the exit details
      await this.endTurn(n, { outcome: 'failed', stop_reason: null, error: { code: 'prompt_failed', message: `session/prompt failed: ${errorText(e)}` } });
    } finally {
      clearTimeout(this.promptTimer);
      clearTimeout(this.cancelGrace);
      if (this.restartAfterTurn) {
        this.restartAfterTurn = false;
        void this.restartProcess();
      }
    }
  }

  private cancelReason: string | null = null;
  /** reason budget: the budget the turn went over */
  private cancelBudget: string | undefined;

  private budgetError(): { code: string; message: string } {
    return { code: 'budget_exceeded', message: `the turn went over a budget and was cancelled: ${this.cancelBudget ?? 'unknown budget'}` };
  }

  /** effect.cancel: ask the agent to stop; pending approvals are answered `cancelled` (ACP requires it). */
  async cancelTurn(n: number, reason: string, budget?: string): Promise<void> {
    this.cancelReason = reason;
    this.cancelBudget = budget;
    const conn = this.connection;
    for (const approvalId of Object.keys(this.context.approvals)) {
      await this.actor.decideEvent(
        { type: 'PermissionDecided', data: { approval_id: approvalId, decision: 'cancelled', option_id: null, decided_by: 'cancel', reason: `turn cancelled (${reason})` } },
        { principal: 'system' },
      );
    }
    if (conn?.alive && this.context.acpSessionId) {
      await conn.notify('session/cancel', { sessionId: this.context.acpSessionId }).catch(() => undefined);
    }
    // an agent that does not answer `cancelled` within the grace is stopped, and the turn ends without it
    clearTimeout(this.cancelGrace);
    this.cancelGrace = setTimeout(() => void this.abandonTurn(n, reason), this.deps.cancelGraceMs);
    this.cancelGrace.unref();
  }

  private async timeOut(n: number): Promise<void> {
    this.restartAfterTurn = true; // an agent that ran out of time is not trusted with the next turn
    await this.actor.decideEvent({ type: 'TurnCancelRequested', data: { turn: n, reason: 'timeout' } }, { principal: 'system' });
  }

  private async abandonTurn(n: number, reason: string): Promise<void> {
    if (this.turns.hasEnded(n)) return;
    const code = reason === 'timeout' ? 'prompt_timeout' : 'cancel_unanswered';
    await this.endTurn(n, {
      outcome: reason === 'timeout' ? 'timeout' : reason === 'budget' ? 'budget_exceeded' : 'cancelled',
      stop_reason: null,
      error: { code, message: `the agent did not answer session/cancel within ${this.deps.cancelGraceMs} ms; it was stopped` },
    });
    this.connection?.kill();
  }

  private async endTurn(n: number, r: TurnEnding): Promise<void> {
    const collector = this.collector?.turn === n ? this.collector : null;
    if (collector) this.collector = null;
    this.cancelReason = null;
    await this.turns.end(n, r, collector);
  }

  // ---- model ---------------------------------------------------------------------------------------------------

  /** Switch the agent's model through set_config_option or set_model, whichever the agent offers. */
  changeModel(model: string): Promise<{ via: 'set_model' | 'set_config_option' }> {
    return switchModel((method, params) => this.connection!.request(method, params), this.context, model);
  }

  // ---- permissions ---------------------------------------------------------------------------------------------

  /** effect.answerPermission */
  answerPermission(approvalId: string, optionId: string | null): void {
    this.broker.answer(approvalId, optionId);
  }

  // ---- process exit, restart, close ----------------------------------------------------------------------------

  private async onExit(conn: AgentConnection, info: ExitInfo): Promise<void> {
    if (this.connection !== conn) return;
    this.connection = null;
    this.broker.dropAll();
    const ctx = this.context;
    if (ctx.closeReason !== null) return; // closing: the close effect records what happens
    if (!info.requested) {
      this.crashes++;
      this.lastExitAt = this.deps.now();
    }
    const events: NewEvent[] = [];
    for (const approvalId of Object.keys(ctx.approvals)) {
      events.push({ type: 'PermissionDecided', data: { approval_id: approvalId, decision: 'cancelled', option_id: null, decided_by: 'agent_exit' } });
    }
    events.push(this.detached(info.requested ? 'stopped' : 'exited', info));
    const turn = ctx.turn;
    if (turn && this.turns.claim(turn.n)) {
      const ending = { outcome: 'failed', stop_reason: null, error: { code: 'agent_exited', message: exitMessage(info) } };
      events.push({ type: 'TurnEnded', data: TurnLedger.data(turn.n, ending, this.collector) });
    }
    if (!info.requested && !this.agentConfig.auto_restart) {
      events.push({ type: 'SessionFailed', data: { code: 'agent_exited', message: `${exitMessage(info)}; auto_restart is off` } });
    }
    clearTimeout(this.promptTimer);
    clearTimeout(this.cancelGrace);
    try {
      const recorded = await this.record(events, 'system');
      const ended = recorded.find((e) => e.type === 'TurnEnded');
      if (ended) this.turns.resolve({ ...(ended.data as Omit<TurnResult, 'position'>), position: ended.position });
    } catch (e) {
      this.deps.logger.error('cannot record agent exit', { session: this.id, error: e as Error });
    }
    this.collector = null;
  }

  /**
   * Stop the process (it is respawned, with `session/resume|load`, on the next prompt). The connection is dropped at
   * once so that a prompt arriving while the old process stops gets a new one.
   */
  async restartProcess(): Promise<void> {
    const conn = this.connection;
    if (!conn) return;
    this.connection = null;
    const info = await conn.stop(this.deps.cancelGraceMs);
    await this.record([this.detached('timeout_restart', info)], 'system').catch((e: Error) =>
      this.deps.logger.error('cannot record agent restart', { session: this.id, error: e }),
    );
  }

  private detached(reason: 'exited' | 'stopped' | 'timeout_restart', info: ExitInfo): NewEvent {
    return {
      type: 'AgentDetached',
      data: { process: this.processStream ?? undefined, reason, code: info.code, signal: info.signal, stderr_tail: info.stderrTail },
    };
  }

  private async fail(code: string, message: string): Promise<void> {
    await this.actor.decide((s) => (s.status === 'active' ? [{ type: 'SessionFailed', data: { code, message } }] : []), { principal: 'system' });
  }

  /**
   * Gateway shutdown: the running turn is cancelled through the log (TurnCancelRequested, reason shutdown; pending
   * approvals answered `cancelled`), the agent gets the cancel grace to answer, then its process is stopped. The
   * session stays open; `session/close` is not sent, so the next gateway can resume it.
   */
  async shutdown(): Promise<void> {
    const turn = this.context.turn;
    if (turn && !this.turns.hasEnded(turn.n)) {
      const r = await this.actor.decideEvent({ type: 'TurnCancelRequested', data: { turn: turn.n, reason: 'shutdown' } }, { principal: 'system' });
      if (r.ok || turn.cancelRequested) await Promise.race([this.waitForTurn(turn.n), sleep(this.deps.cancelGraceMs + 500)]);
    }
    const conn = this.connection;
    if (!conn) return this.terminals.releaseAll(); // an agent that died may have left terminals running
    this.connection = null;
    this.broker.dropAll();
    const [info] = await Promise.all([conn.stop(this.deps.cancelGraceMs), this.terminals.releaseAll()]);
    await this.record([this.detached('stopped', info)], 'system').catch(() => undefined);
  }

  /** effect.close: cancel a running turn, `session/close` when offered, stop the process, release terminals. */
  close(reason: string): Promise<void> {
    this.closing ??= this.teardown(reason);
    return this.closing;
  }

  /** Resolves when a close that was started has finished. */
  get closed(): Promise<void> {
    return this.closing ?? Promise.resolve();
  }

  private async teardown(reason: string): Promise<void> {
    const conn = this.connection;
    const turn = this.context.turn ?? (this.collector ? { n: this.collector.turn } : null);
    const acpId = this.context.acpSessionId;
    if (conn?.alive && acpId) {
      if (turn && !this.turns.hasEnded(turn.n)) {
        await conn.notify('session/cancel', { sessionId: acpId }).catch(() => undefined);
        this.broker.dropAll();
        await Promise.race([this.waitForTurn(turn.n), sleep(this.deps.cancelGraceMs)]);
      }
      const caps = this.context.capabilities as { sessionCapabilities?: { close?: unknown } } | null;
      if (caps?.sessionCapabilities?.close) {
        await Promise.race([conn.request('session/close', { sessionId: acpId }).catch(() => undefined), sleep(this.deps.cancelGraceMs)]);
      }
    }
    if (turn && !this.turns.hasEnded(turn.n)) {
      await this.endTurn(turn.n, { outcome: 'cancelled', stop_reason: null, error: { code: 'session_closed', message: `session closed (${reason})` } });
    }
    this.broker.dropAll();
    await Promise.all([conn?.stop(this.deps.cancelGraceMs), this.terminals.releaseAll()]);
    this.connection = null;
  }
}

function exitMessage(info: ExitInfo): string {
  const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
  const tail = info.stderrTail.trim().split('\n').slice(-3).join(' | ');
  return `the agent process exited (${how})${tail ? `: ${tail.slice(0, 500)}` : ''}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
