// The live side of one session, a thin facade over its two parts: the agent link (agent-link.ts: the agent process,
// its connection, tap and attach) and the turn runner (turn-runner.ts: the running turn, prompt timer, cancel
// grace). It runs the effects the session machine emits (prompt, cancel, answer a permission request, close) and
// records their outcomes. Everything that takes the agent away from the session (a close, a gateway shutdown, a
// restart after a timed-out turn, a cancel the agent left unanswered, the agent's own exit) goes through the one
// teardown path below. It holds no session state a restart would need: that is all in the log.
import type { AgentConnection, ExitInfo } from '../acp/agent-connection.js';
import type { AgentProcessCommand } from '../agents/agent-process-kind.js';
import type { JournaledActor, RecordOptions } from '../actors/journaled-actor.js';
import { findAgent } from '../config/agent-lookup.js';
import type { PermissionRule } from '../permissions/index.js';
import type { AgentSandbox } from '../sandbox/agent-sandbox.js';
import type { NewEvent, RecordedEvent } from '../store/types.js';
import { TerminalManager } from '../workspace/index.js';
import { AgentLink, type Released } from './agent-link.js';
import { switchModel } from './agent-models.js';
import { clientMethodHandlers } from './client-methods.js';
import { PermissionBroker } from './permission-broker.js';
import type { SessionDeps } from './session-deps.js';
import type { sessionMachine, SessionContext } from './session-machine.js';
import { terminalLifecycle } from './terminal-records.js';
import type { TurnResult } from './turn-ledger.js';
import { TurnRunner } from './turn-runner.js';

export type SessionActor = JournaledActor<typeof sessionMachine>;
export { RESTART_BACKOFF_MS } from './agent-restarts.js';

/** What takes the agent away from the session; each cause is one branch of the single teardown path. */
type Teardown =
  | { cause: 'exit'; released: Released } // the agent exited without being asked (or after a kill)
  | { cause: 'abandon' } // it left a session/cancel unanswered: killed at once
  | { cause: 'restart' } // it ran out of time on a turn: stopped, respawned on the next prompt
  | { cause: 'shutdown' } // the gateway stops: the session stays open for the next one
  | { cause: 'close'; reason: string }; // the session ends

const STOP_REASON: Record<Exclude<Teardown['cause'], 'exit'>, AgentProcessCommand['reason']> = {
  abandon: 'cancel_unanswered',
  restart: 'timeout_restart',
  shutdown: 'shutdown',
  close: 'close',
};

export class LiveSession {
  private readonly link: AgentLink;
  private readonly turns: TurnRunner;
  private readonly broker: PermissionBroker;
  private readonly terminals: TerminalManager;
  private closing: Promise<void> | null = null;
  /** the session's lease moved to another node (abandon) */
  private abandoned = false;
  /** the teardown of a process that exited on its own: an attach waits for its record (the back-off reads it) */
  private exiting: Promise<void> = Promise.resolve();

  constructor(
    readonly actor: SessionActor,
    private readonly deps: SessionDeps,
  ) {
    const ctx = this.context;
    const limits = deps.config.limits;
    // the agent and the terminals it asks for run in the same sandbox: a terminal must not reach what the agent cannot
    const sandbox: AgentSandbox | undefined = deps.sandboxFor(ctx);
    const env = sandbox ? sandbox.env(deps.agentEnv(ctx.agent)) : deps.agentEnv(ctx.agent);
    this.terminals = new TerminalManager({
      workspaceRoot: ctx.workspace,
      baseEnv: env,
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
      now: () => deps.now(),
    });
    this.turns = new TurnRunner({
      actor,
      deps,
      attached: () => this.link.attached,
      attach: async () => {
        await this.ensureAttached('reattach');
        return this.link.connection!;
      },
      connection: () => this.link.connection,
      autoRestart: () => this.agentConfig.auto_restart,
      failSession: (code, message) => this.fail(code, message),
      restartAgent: () => void this.restartProcess(),
      abandonAgent: () => void this.teardown({ cause: 'abandon' }),
    });
    this.link = new AgentLink({
      actor,
      deps,
      agentConfig: this.agentConfig,
      sandbox,
      env,
      handlers: clientMethodHandlers({
        workspace: ctx.workspace,
        broker: this.broker,
        terminals: this.terminals,
        fsMaxReadBytes: limits.fs_max_read_bytes,
        fsMaxWriteBytes: limits.fs_max_write_bytes,
      }),
      record: (events, principal, options) => this.record(events, principal, options),
      observe: (msg) => this.turns.observe(msg),
      exited: (info, process) => {
        if (this.abandoned) return; // nothing to record: another node runs the session now
        this.exiting = this.teardown({ cause: 'exit', released: { info, process } });
      },
    });
  }

  get id(): string {
    return this.context.id;
  }

  get context(): SessionContext {
    return this.actor.snapshot().context;
  }

  /** The connection to the attached agent (null when none is attached). */
  get connection(): AgentConnection | null {
    return this.link.connection;
  }

  private get agentConfig() {
    return findAgent(this.deps.config, this.context.agent)!;
  }

  record(events: NewEvent[], principal = `agent:${this.context.agent}`, options?: RecordOptions): Promise<RecordedEvent[]> {
    return this.actor.record(events, { principal }, options);
  }

  /** Make sure an agent process serves this session (spawning one if needed). */
  async ensureAttached(cause: 'create' | 'reattach'): Promise<void> {
    await this.exiting;
    return this.link.ensureAttached(cause);
  }

  /** effect.prompt: run turn `n`. */
  runTurn(n: number, prompt: unknown[]): Promise<void> {
    return this.turns.run(n, prompt);
  }

  /** effect.cancel: the reason (and budget) are read from the folded TurnCancelRequested. */
  cancelTurn(n: number, reason: string, _budget?: string): Promise<void> {
    return this.turns.cancel(n, reason);
  }

  /** Resolves when turn `n` has ended (its TurnEnded committed). */
  waitForTurn(n: number): Promise<TurnResult> {
    return this.turns.waitFor(n);
  }

  /** Switch the agent's model through set_config_option or set_model, whichever the agent offers. */
  changeModel(model: string): Promise<{ via: 'set_model' | 'set_config_option' }> {
    return switchModel((method, params) => this.link.connection!.request(method, params), this.context, model);
  }

  /** effect.answerPermission: the decision is committed (PermissionDecided) before the agent is answered. */
  answerPermission(approvalId: string, optionId: string | null): void {
    this.broker.answer(approvalId, optionId);
  }

  /** Stop the process after a timed-out turn; the next prompt respawns it (session/resume|load). */
  restartProcess(): Promise<void> {
    return this.teardown({ cause: 'restart' });
  }

  /**
   * Gateway shutdown: the running turn is cancelled through the log (reason shutdown), the agent gets the cancel
   * grace to answer, then its process is stopped. The session stays open; the next gateway resumes it.
   */
  shutdown(): Promise<void> {
    return this.teardown({ cause: 'shutdown' });
  }

  /** effect.close: cancel a running turn, `session/close` when offered, stop the process, release terminals. */
  close(reason: string): Promise<void> {
    this.closing ??= this.teardown({ cause: 'close', reason });
    return this.closing;
  }

  /**
   * The session's lease moved to another node (a cluster): its agent process is killed at once and nothing is
   * recorded (this node's appends are fenced now; the new owner records the turn interrupted and re-attaches).
   */
  abandon(): void {
    this.abandoned = true;
    this.link.connection?.kill();
    this.broker.dropAll();
    this.turns.stopTimers();
    this.terminals.releaseAll().catch(() => undefined);
  }

  /** Resolves when a close that was started has finished. */
  get closed(): Promise<void> {
    return this.closing ?? Promise.resolve();
  }

  private async fail(code: string, message: string): Promise<void> {
    await this.actor.decide((s) => (s.status === 'active' ? [{ type: 'SessionFailed', data: { code, message } }] : []), { principal: 'system' });
  }

  // ---- the single teardown path ----------------------------------------------------------------------------------

  private async teardown(t: Teardown): Promise<void> {
    await this.windDownTurn(t);
    const released = t.cause === 'exit' ? t.released : await this.link.release(STOP_REASON[t.cause], t.cause === 'abandon' ? 0 : this.deps.cancelGraceMs);
    this.broker.dropAll();
    this.turns.stopTimers();
    const releaseTerminals = t.cause === 'close' || t.cause === 'shutdown' ? this.terminals.releaseAll() : undefined;
    try {
      await this.recordTeardown(t, released);
    } catch (error) {
      this.deps.logger.error('cannot record the agent leaving the session', { session: this.id, cause: t.cause, error: error as Error });
    }
    await releaseTerminals;
  }

  /** Before the agent goes: a shutdown cancels the running turn through the log; a close asks the agent to stop it. */
  private async windDownTurn(t: Teardown): Promise<void> {
    const n = this.turns.running();
    if (t.cause === 'shutdown' && n !== null) {
      const r = await this.actor.decideEvent({ type: 'TurnCancelRequested', data: { turn: n, reason: 'shutdown' } }, { principal: 'system' });
      if (r.ok || this.context.turn?.cancelRequested) await Promise.race([this.turns.waitFor(n), sleep(this.deps.cancelGraceMs + 500)]);
    }
    if (t.cause !== 'close') return;
    const conn = this.link.connection;
    const acpId = this.context.acpSessionId;
    if (!conn?.alive || !acpId) return;
    if (n !== null) {
      await conn.notify('session/cancel', { sessionId: acpId }).catch(() => undefined);
      // ACP wants pending permission requests answered `cancelled`: on record first, as every answer to the agent
      const pending = Object.keys(this.context.approvals).map((approvalId) => ({
        type: 'PermissionDecided',
        data: { approval_id: approvalId, decision: 'cancelled', option_id: null, decided_by: 'cancel', reason: `session closed (${t.reason})` },
      }));
      const onRecord = pending.length ? await this.record(pending, 'system').then(() => true, () => false) : true;
      if (onRecord) this.broker.dropAll(); // else they are answered once the process is gone, to nobody
      await Promise.race([this.turns.waitFor(n), sleep(this.deps.cancelGraceMs)]);
    }
    const caps = this.context.capabilities as { sessionCapabilities?: { close?: unknown } } | null;
    if (caps?.sessionCapabilities?.close) {
      await Promise.race([conn.request('session/close', { sessionId: acpId }).catch(() => undefined), sleep(this.deps.cancelGraceMs)]);
    }
  }

  /** What the session's log says about the agent leaving it. */
  private async recordTeardown(t: Teardown, released: Released | null): Promise<void> {
    if (t.cause === 'close') {
      const n = this.turns.running();
      if (n !== null) await this.turns.end(n, { outcome: 'cancelled', stop_reason: null, error: { code: 'session_closed', message: `session closed (${t.reason})` } });
      return;
    }
    if (!released) return;
    if (t.cause === 'restart') return void (await this.record([detached('timeout_restart', released)], 'system'));
    if (t.cause === 'shutdown') return void (await this.record([detached('stopped', released)], 'system'));
    const ctx = this.context;
    if (ctx.closeReason !== null) return; // closing: the close records what happens
    const { info } = released;
    const events: NewEvent[] = [];
    for (const approvalId of Object.keys(ctx.approvals)) {
      events.push({ type: 'PermissionDecided', data: { approval_id: approvalId, decision: 'cancelled', option_id: null, decided_by: 'agent_exit' } });
    }
    events.push(detached(info.requested ? 'stopped' : 'exited', released));
    const ended = this.turns.endedByExit(exitMessage(info));
    if (ended) events.push(ended);
    if (!info.requested && !this.agentConfig.auto_restart) {
      events.push({ type: 'SessionFailed', data: { code: 'agent_exited', message: `${exitMessage(info)}; auto_restart is off` } });
    }
    await this.record(events, 'system'); // a TurnEnded among them resolves the turn's waiters (session-signals.ts)
  }
}

function detached(reason: 'exited' | 'stopped' | 'timeout_restart', { info, process }: Released): NewEvent {
  return { type: 'AgentDetached', data: { process, reason, code: info.code, signal: info.signal, stderr_tail: info.stderrTail } };
}

function exitMessage(info: ExitInfo): string {
  const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
  const tail = info.stderrTail.trim().split('\n').slice(-3).join(' | ');
  return `the agent process exited (${how})${tail ? `: ${tail.slice(0, 500)}` : ''}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
