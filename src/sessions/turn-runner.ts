// The turn runner of one session: the running turn (its collector of the agent's traffic), the prompt timer and the
// cancel grace. Why a turn was cancelled is read from the folded state (TurnCancelRequested's reason and budget);
// a turn ends exactly once (TurnLedger). Stopping or restarting the agent is asked of the session's single teardown
// path (live-session.ts), never done here.
import type { AnyMessage } from '@agentclientprotocol/sdk';
import type { AgentConnection } from '../acp/agent-connection.js';
import { AttachError, errorText } from './attach-error.js';
import type { SessionActor } from './live-session.js';
import type { SessionDeps } from './session-deps.js';
import type { SessionContext } from './session-machine.js';
import { TurnCollector } from './turn-collector.js';
import { TurnLedger, type TurnEnding, type TurnResult } from './turn-ledger.js';

export interface TurnRunnerHost {
  readonly actor: SessionActor;
  readonly deps: SessionDeps;
  /** the connection of an agent that serves the session now, if one does (a turn then starts without waiting) */
  attached(): AgentConnection | null;
  /** attach an agent if none is (the first prompt, after a crash or a restart) and return its connection */
  attach(): Promise<AgentConnection>;
  /** the attached agent's connection, if any */
  connection(): AgentConnection | null;
  autoRestart(): boolean;
  failSession(code: string, message: string): Promise<void>;
  /** the agent ran out of time on a turn: it is not trusted with the next one (teardown `restart`) */
  restartAgent(): void;
  /** the agent did not answer session/cancel within the grace (teardown `abandon`) */
  abandonAgent(): void;
}

export class TurnRunner {
  readonly ledger: TurnLedger;
  private collector: TurnCollector | null = null;
  private promptTimer: NodeJS.Timeout | undefined;
  private cancelGrace: NodeJS.Timeout | undefined;

  constructor(private readonly host: TurnRunnerHost) {
    this.ledger = new TurnLedger((events) => host.actor.record(events, { principal: 'system' }), host.actor.id, host.deps.signals);
  }

  private get context(): SessionContext {
    return this.host.actor.snapshot().context;
  }

  /** The turn being run: the folded one, or one whose prompt is still on its way to the agent. */
  current(): number | null {
    return this.context.turn?.n ?? this.collector?.turn ?? null;
  }

  /** A turn that runs and has not ended yet. */
  running(): number | null {
    const n = this.current();
    return n !== null && !this.ledger.hasEnded(n) ? n : null;
  }

  observe(message: AnyMessage): void {
    this.collector?.observe(message);
  }

  /** effect.prompt: run turn `n`. */
  async run(n: number, prompt: unknown[]): Promise<void> {
    const collector = new TurnCollector(n);
    this.collector = collector;
    const timeoutSecs = this.host.deps.config.server.prompt_timeout_secs;
    let conn: AgentConnection;
    try {
      conn = this.host.attached() ?? (await this.host.attach());
    } catch (e) {
      const err = e instanceof AttachError ? e : new AttachError('spawn_failed', errorText(e));
      await this.end(n, { outcome: 'failed', stop_reason: null, error: { code: err.code, message: err.message } });
      if (err.code === 'agent_failed' || !this.host.autoRestart()) await this.host.failSession(err.code, err.message);
      return;
    }
    const acpSessionId = this.context.acpSessionId!;
    this.promptTimer = setTimeout(() => void this.timeOut(n), timeoutSecs * 1000);
    this.promptTimer.unref();
    let cancelledFor: string | null = null;
    try {
      const res = await conn.request<{ stopReason?: string; usage?: unknown }>('session/prompt', { sessionId: acpSessionId, prompt });
      const stop = typeof res?.stopReason === 'string' ? res.stopReason : 'end_turn';
      const turn = this.context.turn;
      cancelledFor = turn?.n === n && turn.cancelRequested ? (turn.cancelReason ?? null) : null;
      const timedOut = cancelledFor === 'timeout';
      const overBudget = cancelledFor === 'budget' && stop === 'cancelled';
      await this.end(n, {
        outcome: timedOut ? 'timeout' : overBudget ? 'budget_exceeded' : stop === 'cancelled' ? 'cancelled' : 'completed',
        stop_reason: stop,
        usage: collector.usageWith(res?.usage),
        error: timedOut
          ? { code: 'prompt_timeout', message: `the turn exceeded ${timeoutSecs} s and was cancelled` }
          : overBudget
            ? { code: 'budget_exceeded', message: `the turn went over a budget and was cancelled: ${turn?.cancelBudget ?? 'unknown budget'}` }
            : null,
      });
    } catch (e) {
      if (!conn.alive || /connection closed/i.test(errorText(e))) return; // the exit teardown ends the turn with the exit details
      const turn = this.context.turn;
      cancelledFor = turn?.n === n ? (turn.cancelReason ?? null) : null;
      await this.end(n, { outcome: 'failed', stop_reason: null, error: { code: 'prompt_failed', message: `session/prompt failed: ${errorText(e)}` } });
    } finally {
      this.stopTimers();
      // an agent that ran out of time is not trusted with the next turn
      if (cancelledFor === 'timeout') this.host.restartAgent();
    }
  }

  /** effect.cancel: ask the agent to stop; pending approvals are answered `cancelled` (ACP requires it). */
  async cancel(n: number, reason: string): Promise<void> {
    for (const approvalId of Object.keys(this.context.approvals)) {
      await this.host.actor.decideEvent(
        { type: 'PermissionDecided', data: { approval_id: approvalId, decision: 'cancelled', option_id: null, decided_by: 'cancel', reason: `turn cancelled (${reason})` } },
        { principal: 'system' },
      );
    }
    const conn = this.host.connection();
    const acpSessionId = this.context.acpSessionId;
    if (conn?.alive && acpSessionId) await conn.notify('session/cancel', { sessionId: acpSessionId }).catch(() => undefined);
    // an agent that does not answer `cancelled` within the grace is stopped, and the turn ends without it
    clearTimeout(this.cancelGrace);
    this.cancelGrace = setTimeout(() => void this.abandon(n, reason), this.host.deps.cancelGraceMs);
    this.cancelGrace.unref();
  }

  private async timeOut(n: number): Promise<void> {
    await this.host.actor.decideEvent({ type: 'TurnCancelRequested', data: { turn: n, reason: 'timeout' } }, { principal: 'system' });
  }

  private async abandon(n: number, reason: string): Promise<void> {
    if (this.ledger.hasEnded(n)) return;
    await this.end(n, {
      outcome: reason === 'timeout' ? 'timeout' : reason === 'budget' ? 'budget_exceeded' : 'cancelled',
      stop_reason: null,
      error: {
        code: reason === 'timeout' ? 'prompt_timeout' : 'cancel_unanswered',
        message: `the agent did not answer session/cancel within ${this.host.deps.cancelGraceMs} ms; it was stopped`,
      },
    });
    this.host.abandonAgent();
  }

  /** Record the end of turn `n` (once) with what its collector saw. */
  async end(n: number, r: TurnEnding): Promise<void> {
    const collector = this.collector?.turn === n ? this.collector : null;
    if (collector) this.collector = null;
    await this.ledger.end(n, r, collector);
  }

  /**
   * The TurnEnded of a running turn that ends with the agent's exit, to be appended with the exit's other events;
   * null when no turn runs or another path ended it. The caller resolves the waiters once it is committed.
   */
  endedByExit(message: string): { type: 'TurnEnded'; data: ReturnType<typeof TurnLedger.data> } | null {
    const turn = this.context.turn;
    const collector = this.collector;
    this.collector = null;
    if (!turn || !this.ledger.claim(turn.n)) return null;
    const data = TurnLedger.data(turn.n, { outcome: 'failed', stop_reason: null, error: { code: 'agent_exited', message } }, collector);
    return { type: 'TurnEnded', data };
  }

  /** Resolves when turn `n` has ended (its TurnEnded committed). */
  waitFor(n: number): Promise<TurnResult> {
    return this.ledger.waitFor(n);
  }

  stopTimers(): void {
    clearTimeout(this.promptTimer);
    clearTimeout(this.cancelGrace);
  }
}
