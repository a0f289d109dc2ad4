// Admission of new sessions: an agent's `max_sessions` and the gateway's `limits.max_sessions_total`, counted over
// the open sessions (a fold of their actors) plus the creations under way. A creation reserves its place
// synchronously (no await between the check and the reservation), so two concurrent creations cannot both take the
// last place; the reservation is released once the session exists (it is then counted as open) or failed.
import { Rejected } from '../errors/rejection.js';
import type { SessionActor } from './live-session.js';

export class SessionCapacity {
  private readonly reserved = new Map<string, number>();

  constructor(
    private readonly actors: () => Iterable<SessionActor>,
    private readonly maxTotal: number,
  ) {}

  /** Take a place for a new session of `agent` (429 `max_sessions_reached` when there is none). */
  reserve(agent: string, maxForAgent: number): void {
    let ofAgent = 0;
    let total = 0;
    for (const a of this.actors()) {
      const s = a.snapshot();
      // a cluster node counts the sessions it runs, not those of other nodes it follows for reads
      if (s.status !== 'active' || a.following) continue;
      total++;
      if (s.context.agent === agent) ofAgent++;
    }
    const pending = this.reserved.get(agent) ?? 0;
    if (ofAgent + pending >= maxForAgent) {
      throw new Rejected('max_sessions_reached', `agent '${agent}' has reached max sessions (${maxForAgent})`);
    }
    for (const n of this.reserved.values()) total += n;
    if (total >= this.maxTotal) throw new Rejected('max_sessions_reached', `the gateway has reached its session limit (${this.maxTotal})`);
    this.reserved.set(agent, pending + 1);
  }

  /** Give back a place reserved for `agent`. */
  release(agent: string): void {
    const n = (this.reserved.get(agent) ?? 1) - 1;
    if (n <= 0) this.reserved.delete(agent);
    else this.reserved.set(agent, n);
  }
}
