// Pending approvals across sessions, and a person's decision on one. Only options the agent offered are chosen;
// `allow_always` / `reject_always` also leave a session-scoped rule. Who decided (token name) and why are recorded.
// The pending approvals are read from the sessions projection (sessions-projection.ts), not by a scan of every
// session; an approval that is no longer pending is found in the log (a 409 for it, a 404 for one never asked).
import { z } from 'zod';
import { Rejected } from '../errors/rejection.js';
import type { EventMeta, EventStore } from '../store/types.js';
import type { SessionService } from './session-service.js';
import type { SessionCommand } from './session-decide.js';
import type { ApprovalView } from './session-view.js';
import type { SessionsProjection } from './sessions-projection.js';

import { approvalDecisionSchema } from './approval-decision.js';

export { approvalDecisionSchema };
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

export interface DecidedApproval {
  approval_id: string;
  session_id: string;
  decision: string;
  option_id: string | null;
  decided_by: string;
  position: number;
}

export class ApprovalService {
  constructor(
    private readonly sessions: SessionService,
    private readonly projection: SessionsProjection,
    private readonly store: EventStore,
  ) {}

  list(filter: { session_id?: string } = {}): ApprovalView[] {
    const rows = this.projection.rows();
    let out: ApprovalView[];
    if (filter.session_id) out = Object.hasOwn(rows, filter.session_id) ? [...rows[filter.session_id]!.approvals] : [];
    else out = Object.values(rows).flatMap((r) => r.approvals);
    return out.sort((a, b) => (a.requested_at ?? '').localeCompare(b.requested_at ?? ''));
  }

  /** The session that asked `approvalId` (pending, or decided since), if any (a cluster forwards a decision to it). */
  sessionOf(approvalId: string): string | undefined {
    return this.projection.ownerOf(approvalId) ?? this.askedIn(approvalId);
  }

  async decide(approvalId: string, input: ApprovalDecision, meta: EventMeta): Promise<DecidedApproval> {
    const sessionId = this.sessionOf(approvalId);
    if (!sessionId) throw new Rejected('approval_not_found', `approval '${approvalId}' not found`);
    const actor = this.sessions.actor(sessionId);
    const decidedBy = meta.principal ?? 'unknown';
    const command: SessionCommand = { type: 'decidePermission', approval_id: approvalId, decision: input.decision, decided_by: decidedBy, reason: input.reason };
    const r = await actor.execute(command, meta);
    if (!r.ok) throw Rejected.from(r);
    const e = r.events[0]!;
    const d = e.data as { decision: string; option_id: string | null };
    return { approval_id: approvalId, session_id: sessionId, decision: d.decision, option_id: d.option_id, decided_by: decidedBy, position: e.position };
  }

  /**
   * The session that asked `approvalId`, from the log: an approval that is no longer pending (decided, expired,
   * withdrawn) is answered 409 rather than 404. Only this miss reads the requests, through the type index.
   */
  private askedIn(approvalId: string): string | undefined {
    const needle = JSON.stringify(approvalId);
    for (const e of this.store.iterate({ type: 'PermissionRequested' })) {
      if (e.dataText.includes(needle) && (e.data as { approval_id?: unknown }).approval_id === approvalId) return e.streamId.slice('session:'.length);
    }
    return undefined;
  }
}
