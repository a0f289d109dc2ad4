// The agent process actor, folded from its own stream `agent:<name>:<n>`. It owns the process's lifecycle, append
// before act: AgentProcessRequested asks for the process (effect.spawn starts it, AgentProcessSpawned or
// AgentProcessSpawnFailed records how that went); AgentProcessStopRequested asks it to stop (effect.stop signals it);
// AgentProcessExited records every exit, whoever caused it. Streams written before requests existed begin with
// AgentProcessSpawned, which `new` still takes.
import { assign, emit, setup } from 'xstate';

export interface AgentProcessContext {
  agent: string;
  session: string;
  pid: number | null;
  command: string;
  args: string[];
  restart: number;
  capabilities: unknown;
  exit: { code: number | null; signal: string | null; stderrTail: string; requested: boolean } | null;
  /** why the gateway asked it to stop (AgentProcessStopRequested), null until then */
  stopReason: string | null;
}

type Request = { agent: string; session: string; restart: number; command: string; args: string[] };

export type AgentProcessEvent =
  | ({ type: 'AgentProcessRequested' } & Request)
  | ({ type: 'AgentProcessSpawned'; pid: number } & Request)
  | { type: 'AgentProcessSpawnFailed'; message: string }
  | { type: 'AgentProcessInitialized'; agent_capabilities: unknown }
  | { type: 'AgentProcessStopRequested'; reason: string; grace_ms: number }
  | { type: 'AgentProcessExited'; code: number | null; signal: string | null; stderr_tail: string; requested: boolean };

/** What the machine asks of the live side, once the event that asks for it is committed. */
export type AgentProcessEffect = { type: 'effect.spawn' } | { type: 'effect.stop'; reason: string; grace_ms: number };

type Of<T extends AgentProcessEvent['type']> = Extract<AgentProcessEvent, { type: T }>;

export const agentProcessMachine = setup({
  types: { context: {} as AgentProcessContext, events: {} as AgentProcessEvent, emitted: {} as AgentProcessEffect },
  actions: {
    request: assign(({ event }) => {
      const e = event as Of<'AgentProcessRequested'>;
      return { agent: e.agent, session: e.session, command: e.command, args: e.args, restart: e.restart };
    }),
    spawned: assign(({ event }) => {
      const e = event as Of<'AgentProcessSpawned'>;
      return { agent: e.agent, session: e.session, pid: e.pid, command: e.command, args: e.args, restart: e.restart };
    }),
    runSpawn: emit({ type: 'effect.spawn' }),
    askStop: assign({ stopReason: ({ event }) => (event as Of<'AgentProcessStopRequested'>).reason }),
    runStop: emit(({ event }) => {
      const e = event as Of<'AgentProcessStopRequested'>;
      return { type: 'effect.stop' as const, reason: e.reason, grace_ms: e.grace_ms };
    }),
  },
}).createMachine({
  id: 'agentProcess',
  initial: 'new',
  context: { agent: '', session: '', pid: null, command: '', args: [], restart: 0, capabilities: null, exit: null, stopReason: null },
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
        AgentProcessRequested: { target: 'requested', actions: ['request', 'runSpawn'] },
        AgentProcessSpawned: { target: 'spawned', actions: 'spawned' },
      },
    },
    requested: {
      on: {
        AgentProcessSpawned: { target: 'spawned', actions: 'spawned' },
        AgentProcessSpawnFailed: { target: 'failed' },
      },
    },
    spawned: {
      on: {
        AgentProcessInitialized: { target: 'ready', actions: assign({ capabilities: ({ event }) => event.agent_capabilities }) },
        AgentProcessStopRequested: { target: 'stopping', actions: ['askStop', 'runStop'] },
      },
    },
    ready: {
      on: { AgentProcessStopRequested: { target: 'stopping', actions: ['askStop', 'runStop'] } },
    },
    stopping: {},
    exited: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** States in which a process runs (or may: `stopping` until its exit is recorded). */
export function isRunning(value: unknown): boolean {
  return value === 'spawned' || value === 'ready' || value === 'stopping';
}

export const agentProcessFoldedTypes: ReadonlySet<string> = new Set([
  'AgentProcessRequested',
  'AgentProcessSpawned',
  'AgentProcessSpawnFailed',
  'AgentProcessInitialized',
  'AgentProcessStopRequested',
  'AgentProcessExited',
]);
