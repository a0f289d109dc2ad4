// What the gateway does at boot for the sessions the previous process left behind. Nothing is re-run and nothing
// is pretended: a turn that was running becomes `interrupted` (with the text the agent had streamed, and the tool
// calls that never reported an outcome), a pending approval becomes `expired`, an agent process that outlived the
// gateway is found and stopped, and so are the terminals it left running (stray-terminals.ts). The agent is
// re-attached on the next prompt, or now for `resume: eager` agents.
import { readFileSync } from 'node:fs';
import type { ActorRuntime } from '../actors/runtime.js';
import type { JournaledActor } from '../actors/journaled-actor.js';
import type { Logger } from '../log/logger.js';
import type { NewEvent } from '../store/types.js';
import type { agentProcessMachine } from '../agents/agent-process-machine.js';
import type { AgentProcessCommand } from '../agents/agent-process-kind.js';
import type { SessionService } from './session-service.js';
import type { SessionActor } from './live-session.js';
import { TurnCollector } from './turn-collector.js';
import { stopStrayTerminals } from './stray-terminals.js';

export interface RecoveryReport {
  sessions: number;
  interruptedTurns: number;
  expiredApprovals: number;
  strayProcesses: number;
  /** process groups of terminals left running by the previous gateway, stopped */
  strayTerminals: number;
  eager: number;
}

export async function recoverAtBoot(runtime: ActorRuntime, sessions: SessionService, logger: Logger, boot: string): Promise<RecoveryReport> {
  const report: RecoveryReport = { sessions: 0, interruptedTurns: 0, expiredApprovals: 0, strayProcesses: 0, strayTerminals: 0, eager: 0 };
  for (const p of runtime.list<typeof agentProcessMachine>('agent')) {
    if (p.snapshot().status === 'done' || p.snapshot().value === 'new') continue;
    if (await stopStray(p)) report.strayProcesses++;
  }
  report.strayTerminals = await stopStrayTerminals(runtime, logger, boot);
  for (const actor of sessions.actors()) {
    const r = await recoverSession(runtime, actor, boot, 'the gateway stopped while this turn was running; it was not re-run');
    if (!r) continue;
    report.sessions++;
    if (r.interruptedTurn) report.interruptedTurns++;
    report.expiredApprovals += r.expiredApprovals;
  }
  for (const actor of sessions.actors()) {
    const snap = actor.snapshot();
    if (snap.status !== 'active' || sessions.agentConfig(snap.context.agent)?.resume !== 'eager') continue;
    report.eager++;
    sessions
      .liveFor(actor)
      .ensureAttached('reattach')
      .catch((e: Error) => logger.warn('eager re-attach failed', { session: actor.id, error: e }));
  }
  return report;
}

/**
 * A session this cluster node took over from a node that stopped renewing its lease: the agent processes that node
 * started for it are ended on record (stopped first if one runs on this machine), then the session is recovered as
 * at a restart. The agent re-attaches on the next prompt (resume, load or transcript).
 */
export async function recoverTakenOver(runtime: ActorRuntime, actor: SessionActor, processes: readonly string[], boot: string): Promise<void> {
  for (const streamId of processes) {
    const p = runtime.get<typeof agentProcessMachine>(streamId);
    if (p === undefined || p.snapshot().status === 'done' || p.snapshot().value === 'new') continue;
    await stopStray(p);
  }
  await recoverSession(runtime, actor, boot, 'the node that ran this session stopped while this turn was running; it was not re-run');
}

/**
 * One session left behind by a process that is gone (this gateway before a restart, or a cluster node whose lease
 * moved here): its running turn becomes `interrupted`, its pending approvals `expired`, its agent detached, all in
 * one append. Undefined when there was nothing to record.
 */
export async function recoverSession(
  runtime: ActorRuntime,
  actor: SessionActor,
  boot: string,
  interruptedMessage: string,
): Promise<{ interruptedTurn: boolean; expiredApprovals: number } | undefined> {
  const snap = actor.snapshot();
  if (snap.status !== 'active') return undefined;
  const c = snap.context;
  if (snap.value !== 'prompting' && Object.keys(c.approvals).length === 0 && !c.attached) return undefined;
  const events: NewEvent[] = [];
  const expired = Object.keys(c.approvals);
  for (const approvalId of expired) {
    events.push({ type: 'PermissionDecided', data: { approval_id: approvalId, decision: 'expired', option_id: null, decided_by: 'recovery', reason: 'the gateway stopped before anyone decided' } });
  }
  let unknown: string[] = [];
  const turn = snap.value === 'prompting' ? c.turn : undefined;
  if (turn) {
    const collected = collectTurn(runtime, actor, turn.n, turn.position ?? 0);
    unknown = collected.toolCallsWithoutOutcome;
    events.push({
      type: 'TurnEnded',
      data: {
        turn: turn.n,
        outcome: 'interrupted',
        stop_reason: null,
        text: collected.text,
        error: { code: 'interrupted', message: interruptedMessage },
        ...(unknown.length ? { unknown_tool_calls: unknown } : {}),
      },
    });
  }
  if (c.attached) {
    events.push({ type: 'AgentDetached', data: { process: c.process ?? undefined, reason: 'gateway_restart', code: null, signal: null, stderr_tail: '' } });
  }
  events.push({ type: 'SessionRecovered', data: { boot, interrupted_turn: snap.value === 'prompting' ? (c.turn?.n ?? null) : null, expired_approvals: expired, unknown_tool_calls: unknown } });
  await actor.record(events, { principal: 'system', correlation: boot });
  return { interruptedTurn: Boolean(turn), expiredApprovals: expired.length };
}

/** The text and open tool calls of turn `n`, read back from the raw traffic in the log. */
function collectTurn(runtime: ActorRuntime, actor: SessionActor, n: number, fromPosition: number): TurnCollector {
  const collector = new TurnCollector(n);
  for (const e of runtime.store.iterate({ streamId: actor.streamId, afterPosition: fromPosition, type: 'AcpMessage' })) {
    const d = e.data as { dir: string; msg: unknown; priming?: boolean };
    if (d.dir === 'in' && !d.priming) collector.observe(d.msg);
  }
  return collector;
}

/** An agent process the dead gateway started: stop it if it is still ours and alive; record how it ended. */
async function stopStray(p: JournaledActor<typeof agentProcessMachine>): Promise<boolean> {
  const c = p.snapshot().context;
  let signal: string | null = null;
  if (c.pid && isOurs(c.pid, c.command, c.args)) {
    // append before act, as every stop: the request is on the process stream before the signal (its effect finds no
    // connection of this gateway to stop; the group is signalled here, by the pid on record)
    await p.execute<AgentProcessCommand>({ type: 'stop', reason: 'outlived_gateway', graceMs: 2000 }, { principal: 'system' });
    signal = 'SIGTERM';
    killGroup(c.pid, 'SIGTERM');
    for (let i = 0; i < 40 && alive(c.pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (alive(c.pid)) {
      signal = 'SIGKILL';
      killGroup(c.pid, 'SIGKILL');
    }
  }
  await p.record([
    {
      type: 'AgentProcessExited',
      data: { code: null, signal, requested: true, stderr_tail: signal ? '(outlived the gateway; stopped at boot)' : '(gone when the gateway restarted)' },
    },
  ], { principal: 'system' });
  return signal !== null;
}

/** Is `pid` still the process we started (same command line, its own process group), not a reused pid? */
function isOurs(pid: number, command: string, args: string[]): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    if (pgrp !== pid) return false;
    const want = [command, ...args];
    return want.every((w) => argv.some((a) => a === w || a.endsWith(`/${w}`)));
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* gone */
  }
}
