// What a cluster node does with the actor of a lease it gains or loses.
// - Taken over (a sweep found the lease expired, or a command adopted it): the actor's streams are refreshed from
//   PostgreSQL (snapshots, timers), the actor is restored from the log and its timers armed, then it is recovered as
//   after a restart: a session's running turn is recorded interrupted and its approvals expired (its agent re-attaches
//   on the next prompt through resume, load or transcript); an orchestration or pipeline that was running is recorded
//   interrupted (resume re-runs it); a review goes on as after a restart.
// - Lost (the heartbeat did not renew it: another node took it, or the database was out of reach for a whole TTL):
//   the actor stops here at once and its agent process is killed, nothing recorded (this node's appends would be
//   fenced anyway); the stream stays readable here as a follower.
// - Finished (a session closed with its agent gone, an orchestration deleted, a review posted or failed): the lease is
//   released, so the table holds only actors that can still act.
import type { ActorRuntime } from '../actors/runtime.js';
import type { Logger } from '../log/logger.js';
import type { AintegrixConfig } from '../config/index.js';
import type { EventStore } from '../store/types.js';
import type { SessionService } from '../sessions/session-service.js';
import type { OrchestrationService } from '../orchestrations/orchestration-service.js';
import type { PipelineService } from '../pipelines/pipeline-service.js';
import type { ReviewService } from '../reviews/review-service.js';
import type { sessionMachine } from '../sessions/session-machine.js';
import { recoverTakenOver } from '../sessions/recovery.js';
import type { LeaseManager } from './lease-manager.js';
import type { StreamOwnership } from './ownership.js';
import { movedWorkspace } from './moved-workspace.js';

export interface TakeoverServices {
  sessions: SessionService;
  orchestrations: OrchestrationService;
  pipelines: PipelineService;
  reviews: ReviewService;
  /** the correlation of what this node records at takeover (as the boot id of a restart) */
  boot: string;
  config: AintegrixConfig;
  gatewayEnv: Record<string, string | undefined>;
}

const AGENT_PROCESSES = 'agent:';

export class Takeover {
  constructor(
    private readonly runtime: ActorRuntime,
    private readonly store: EventStore,
    private readonly ownership: StreamOwnership,
    private readonly services: TakeoverServices,
    private readonly logger: Logger,
  ) {}

  async takeOver(key: string): Promise<void> {
    const type = key.slice(0, key.indexOf(':'));
    const id = key.slice(type.length + 1);
    const processes = type === 'session' ? this.processStreamsInLog(key) : [];
    const streams = [key, ...processes];
    await this.store.refreshStreams?.(streams);
    if (this.store.streamVersion(key) === 0) return; // taken before its first event committed: nothing to run yet
    this.runtime.restore(key);
    for (const p of processes) this.runtime.restore(p);
    this.runtime.timers.loadFromStore((s) => streams.includes(s));
    this.logger.info('cluster: actor taken over', { key });
    const { boot } = this.services;
    if (type === 'session') {
      const actor = this.runtime.get<typeof sessionMachine>(key)!;
      await recoverTakenOver(this.runtime, actor, processes, boot);
      // the ended process streams are not kept live (as at boot)
      for (const p of processes) if (this.runtime.get(p)?.snapshot().status === 'done') this.runtime.evict(p);
      await movedWorkspace(actor, { config: this.services.config, gatewayEnv: this.services.gatewayEnv, logger: this.logger, store: this.store });
    } else if (type === 'orchestration') await this.services.orchestrations.interruptTakenOver(id);
    else if (type === 'pipeline') await this.services.pipelines.interruptTakenOver(id, 'the node that ran it stopped while it ran');
    else if (type === 'review') await this.services.reviews.resumeTakenOver(id, boot);
  }

  lost(key: string): void {
    const type = key.slice(0, key.indexOf(':'));
    if (type === 'session') {
      this.services.sessions.abandon(key.slice(type.length + 1));
      for (const p of this.liveProcessStreams(key)) this.runtime.relinquish(p);
    }
    this.runtime.relinquish(key);
    this.runtime.markStale(key); // readable here, folded from the log as the new owner writes it
  }

  /** Release the leases of actors that cannot act any more. */
  async releaseFinished(leases: LeaseManager): Promise<void> {
    for (const key of leases.heldKeys()) {
      const actor = this.runtime.get(key);
      if (actor === undefined && this.store.streamVersion(key) === 0) continue; // being created
      if (actor !== undefined && actor.snapshot().status !== 'done') continue;
      if (key.startsWith('session:') && this.liveProcessStreams(key).some((p) => this.runtime.get(p)?.snapshot().status !== 'done')) continue;
      await actor?.settled();
      await leases.release(key);
    }
  }

  /** The agent-process streams of a session in the log (any node's). */
  private processStreamsInLog(sessionKey: string): string[] {
    return this.store
      .listStreams(AGENT_PROCESSES)
      .map((s) => s.streamId)
      .filter((s) => this.ownership.leaseKey(s) === sessionKey);
  }

  /** The agent-process actors of a session live here. */
  private liveProcessStreams(sessionKey: string): string[] {
    return this.runtime
      .list('agent')
      .map((a) => a.streamId)
      .filter((s) => this.ownership.leaseKey(s) === sessionKey);
  }
}
