// The journaled actor kind of agent processes (`agent:<name>:<n>`).
import type { ActorKind } from '../actors/actor-kind.js';
import { agentProcessFoldedTypes, agentProcessMachine } from './agent-process-machine.js';

export const agentProcessKind: ActorKind<typeof agentProcessMachine> = {
  streamType: 'agent',
  machine: agentProcessMachine,
  machineVersion: 'agent-process-2',
  foldedTypes: agentProcessFoldedTypes,
  snapshotWhen: (s) => s.status === 'done',
  // an exited process is history: its events stay in the log, but no live actor is needed for it
  restoreFinished: false,
  // a root-level transition: AgentProcessExited ends the machine from every state
  finalEventTypes: new Set(['AgentProcessExited']),
};
