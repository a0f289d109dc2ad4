// The live side of the agent process actors: it starts and stops agent processes, and only ever as the effect of a
// committed event (append before act). A session asks for a process with AgentProcessRequested (the first event of
// a new `agent:<name>:<n>` stream); effect.spawn starts it and records AgentProcessSpawned (pid) or
// AgentProcessSpawnFailed. `stop` decides AgentProcessStopRequested; effect.stop signals the process group. Every
// exit is recorded as AgentProcessExited, whoever caused it. A gateway killed between a request and its outcome
// leaves the request on record (recovery.ts ends it), never a process the log does not ask for.
import { AgentConnection, AgentSpawnError, type AgentConnectionOptions, type ExitInfo } from '../acp/agent-connection.js';
import type { JournaledActor } from '../actors/journaled-actor.js';
import type { ActorRuntime } from '../actors/runtime.js';
import type { Logger } from '../log/logger.js';
import type { z } from 'zod';
import type { AgentProcessRequested } from '../events/agent-events.js';
import { Deferred } from '../sessions/deferred.js';
import { liveAgentProcessKind, type AgentProcessCommand } from './agent-process-kind.js';
import type { AgentProcessEffect, agentProcessMachine } from './agent-process-machine.js';

export type ProcessActor = JournaledActor<typeof agentProcessMachine>;
export type ProcessRequest = z.input<typeof AgentProcessRequested>;

export interface RunningProcess {
  process: ProcessActor;
  connection: AgentConnection;
}

interface Launch {
  request: ProcessRequest;
  options: AgentConnectionOptions;
  started: Deferred<AgentConnection>;
}

export class AgentProcesses {
  readonly kind = liveAgentProcessKind({
    'effect.spawn': (actor) => this.spawnEffect(actor),
    'effect.stop': (actor, effect) => this.stopEffect(actor, effect),
  });
  /** requests whose spawn effect has not run yet: the live options (handlers, tap, env) are not in the log */
  private readonly launches = new Map<string, Launch>();
  private readonly connections = new Map<string, AgentConnection>();

  constructor(
    private readonly runtime: ActorRuntime,
    /** the id of the next process stream of `agent` (`<agent>:<n>`) */
    private readonly nextId: (agent: string) => string,
    private readonly logger: Logger,
  ) {}

  /** Ask for a process (committed first), then start it: resolves once AgentProcessSpawned is committed. */
  async spawn(request: ProcessRequest, options: AgentConnectionOptions): Promise<RunningProcess> {
    const streamId = `${this.kind.streamType}:${this.nextId(request.agent)}`;
    const launch: Launch = { request, options, started: new Deferred() };
    this.launches.set(streamId, launch);
    try {
      const process = await this.runtime.create(this.kind, streamId.slice(this.kind.streamType.length + 1), [{ type: 'AgentProcessRequested', data: request }], {
        principal: 'system',
      });
      return { process, connection: await launch.started.promise };
    } finally {
      this.launches.delete(streamId);
    }
  }

  /**
   * Ask the process to stop (AgentProcessStopRequested, committed first) and wait for its exit. A process stream that
   * no longer takes writes (a broken store) still gets its process stopped: a process nobody can record is not left
   * running.
   */
  async stop(process: ProcessActor, connection: AgentConnection, reason: AgentProcessCommand['reason'], graceMs: number): Promise<ExitInfo> {
    if (!connection.alive) return connection.exited;
    try {
      await process.execute<AgentProcessCommand>({ type: 'stop', reason, graceMs }, { principal: 'system' });
    } catch (error) {
      this.logger.error('cannot record a stop request; stopping the agent process anyway', { stream: process.streamId, error: error as Error });
      void connection.stop(graceMs);
    }
    return connection.exited;
  }

  private async spawnEffect(actor: ProcessActor): Promise<void> {
    const launch = this.launches.get(actor.streamId);
    if (!launch) {
      // a request whose asker is gone (it cannot happen live: the launch is registered before the request is made)
      await actor.record([{ type: 'AgentProcessSpawnFailed', data: { message: 'nobody waits for this process any more' } }], { principal: 'system' });
      return;
    }
    let connection: AgentConnection;
    try {
      connection = await AgentConnection.spawn(launch.options);
    } catch (e) {
      const message = e instanceof AgentSpawnError ? e.message : String((e as Error)?.message ?? e);
      await actor.record([{ type: 'AgentProcessSpawnFailed', data: { message } }], { principal: 'system' }).catch(() => undefined);
      launch.started.reject(e instanceof AgentSpawnError ? e : new AgentSpawnError(message));
      return;
    }
    this.connections.set(actor.streamId, connection);
    const spawned = actor.record([{ type: 'AgentProcessSpawned', data: { ...launch.request, pid: connection.pid } }], { principal: 'system' });
    // the process stream records every exit, whoever caused it (after AgentProcessSpawned: appends keep their order)
    void connection.exited.then((info) => {
      this.connections.delete(actor.streamId);
      return actor.record(
        [{ type: 'AgentProcessExited', data: { code: info.code, signal: info.signal, stderr_tail: info.stderrTail, requested: info.requested } }],
        { principal: 'system' },
      );
    }).catch(() => undefined);
    try {
      await spawned;
      launch.started.resolve(connection);
    } catch (e) {
      // the start is not on record: the process must not run
      connection.kill();
      launch.started.reject(e as Error);
    }
  }

  private async stopEffect(actor: ProcessActor, effect: Extract<AgentProcessEffect, { type: 'effect.stop' }>): Promise<void> {
    const connection = this.connections.get(actor.streamId);
    if (!connection) return; // exited meanwhile: its AgentProcessExited says so
    if (effect.grace_ms === 0) connection.kill();
    else await connection.stop(effect.grace_ms);
  }
}
