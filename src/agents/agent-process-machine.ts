// The agent process actor: spawned → initialized → exited, folded from its own stream.
import { assign, setup } from 'xstate';

export interface AgentProcessContext {
  agent: string;
  session: string;
  pid: number | null;
  command: string;
  args: string[];
  restart: number;
  capabilities: unknown;
  exit: { code: number | null; signal: string | null; stderrTail: string; requested: boolean } | null;
}

type AgentProcessEvent =
  | { type: 'AgentProcessSpawned'; agent: string; session: string; pid: number; restart: number; command: string; args: string[] }
  | { type: 'AgentProcessInitialized'; agent_capabilities: unknown }
  | { type: 'AgentProcessExited'; code: number | null; signal: string | null; stderr_tail: string; requested: boolean };

export const agentProcessMachine = setup({
  types: { context: {} as AgentProcessContext, events: {} as AgentProcessEvent },
}).createMachine({
  id: 'agentProcess',
  initial: 'new',
  context: { agent: '', session: '', pid: null, command: '', args: [], restart: 0, capabilities: null, exit: null },
  on: {
    AgentProcessExited: {
      target: '.exited',
      actions: assign({
        exit: ({ event }) => ({ code: event.code, signal: event.signal, stderrTail: event.stderr_tail, requested: event.requested }),
      }),
    },
  },
  states: {
    new: {
      on: {
        AgentProcessSpawned: {
          target: 'spawned',
          actions: assign(({ event }) => ({
            agent: event.agent,
            session: event.session,
            pid: event.pid,
            command: event.command,
            args: event.args,
            restart: event.restart,
          })),
        },
      },
    },
    spawned: {
      on: { AgentProcessInitialized: { target: 'ready', actions: assign({ capabilities: ({ event }) => event.agent_capabilities }) } },
    },
    ready: {},
    exited: { type: 'final' },
  },
});

export const agentProcessFoldedTypes: ReadonlySet<string> = new Set([
  'AgentProcessSpawned',
  'AgentProcessInitialized',
  'AgentProcessExited',
]);
