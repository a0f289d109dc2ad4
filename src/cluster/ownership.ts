// Which lease a stream is written under. Sessions, orchestrations, pipelines and reviews are leased by their own
// stream id; a session's agent-process streams (`agent:<name>:<n>`) are written under their session's lease (the
// session named by their first event, AgentProcessRequested), so the process records of a session move with it.
import type { AppendFence, EventStore, NewEvent } from '../store/types.js';
import type { LeaseManager } from './lease-manager.js';

/** The actor kinds that run on exactly one node, by lease (their stream type, before the first `:`). */
export const LEASED_KINDS: ReadonlySet<string> = new Set(['session', 'orchestration', 'pipeline', 'review']);

const AGENT_PROCESS = 'agent:';

/** The lease key of a leased actor's stream (its own id), or undefined for a stream that is not one. */
export function leaseKeyOfActor(streamId: string): string | undefined {
  const colon = streamId.indexOf(':');
  return colon > 0 && LEASED_KINDS.has(streamId.slice(0, colon)) ? streamId : undefined;
}

export class StreamOwnership {
  /** agent-process stream → its session's lease key (a process never changes session) */
  private readonly processSessions = new Map<string, string>();

  constructor(
    private readonly leases: Pick<LeaseManager, 'holds'>,
    private readonly store: Pick<EventStore, 'readStream'>,
  ) {}

  /** The lease key a stream's appends are fenced by (undefined: a stream outside every lease, e.g. a usage record). */
  leaseKey(streamId: string, events: readonly NewEvent[] = []): string | undefined {
    const own = leaseKeyOfActor(streamId);
    if (own !== undefined) return own;
    if (!streamId.startsWith(AGENT_PROCESS)) return undefined;
    let key = this.processSessions.get(streamId);
    if (key === undefined) {
      // the first append of a process stream carries its request; later ones find it in the log
      const first = events[0]?.type === 'AgentProcessRequested' ? events[0] : this.store.readStream(streamId, 1, 1)[0];
      const session = (first?.data as { session?: unknown } | undefined)?.session;
      if (typeof session !== 'string') return undefined;
      key = `session:${session}`;
      this.processSessions.set(streamId, key);
    }
    return key;
  }

  /**
   * The fence of an append to `streamId`. A leased stream whose lease this node does not hold gets epoch 0, which no
   * lease ever has: the store refuses it (never an unfenced write from a node that lost the actor).
   */
  fenceFor(streamId: string, events: readonly NewEvent[]): AppendFence | undefined {
    const key = this.leaseKey(streamId, events);
    if (key === undefined) return undefined;
    return this.leases.holds(key) ?? { key, epoch: 0 };
  }

  /** Forget a process stream's session (the stream ended and was evicted). */
  forget(streamId: string): void {
    this.processSessions.delete(streamId);
  }
}
