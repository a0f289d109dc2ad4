// The journaled actor kind of agent processes (`agent:<name>:<n>`): one command (stop), decided against the folded
// state; the spawn is asked for by the stream's first event (AgentProcessRequested, see agent-processes.ts).
import type { ActorKind, Decision, EffectHandlers } from '../actors/actor-kind.js';
import type { SnapshotFrom } from 'xstate';
import { agentProcessFoldedTypes, agentProcessMachine } from './agent-process-machine.js';

export type AgentProcessCommand = {
  type: 'stop';
  reason: 'close' | 'shutdown' | 'timeout_restart' | 'cancel_unanswered' | 'attach_failed' | 'outlived_gateway';
  graceMs: number;
};

/** Stop a running process once; a process already asked to stop is an accepted no-op; one that is not running is refused. */
export function decideAgentProcess(command: AgentProcessCommand, state: SnapshotFrom<typeof agentProcessMachine>): Decision {
  const event = { type: 'AgentProcessStopRequested' as const, reason: command.reason, grace_ms: Math.max(0, Math.round(command.graceMs)) };
  if (state.can(event)) return [{ type: event.type, data: { reason: event.reason, grace_ms: event.grace_ms } }];
  if (state.value === 'stopping') return [];
  return { reject: 'process_not_running', message: `the agent process is ${String(state.value)}` };
}

/** The kind as folded (boot, tests, tools that copy logs): no effects. */
export const agentProcessKind: ActorKind<typeof agentProcessMachine, AgentProcessCommand> = {
  streamType: 'agent',
  machine: agentProcessMachine,
  machineVersion: 'agent-process-3',
  foldedTypes: agentProcessFoldedTypes,
  snapshotWhen: (s) => s.status === 'done',
  // an exited process is history: its events stay in the log, but no live actor is needed for it
  restoreFinished: false,
  // AgentProcessExited ends the machine from every state; a spawn that failed ends it too
  finalEventTypes: new Set(['AgentProcessExited', 'AgentProcessSpawnFailed']),
  decide: decideAgentProcess,
};

/** The live kind: the same, with the handlers that start and stop the processes. */
export function liveAgentProcessKind(effects: EffectHandlers<typeof agentProcessMachine>): ActorKind<typeof agentProcessMachine, AgentProcessCommand> {
  return { ...agentProcessKind, effects };
}
