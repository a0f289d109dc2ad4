// Pending approvals across sessions, and a person's decision on one. Only options the agent offered are chosen;
// `allow_always` / `reject_always` also leave a session-scoped rule. Who decided (token name) and why are recorded.
import { z } from 'zod';
import { Rejected } from '../errors/rejection.js';
import type { EventMeta } from '../store/types.js';
import type { SessionService } from './session-service.js';
import type { SessionCommand } from './session-decide.js';
import { approvalViews, type ApprovalView } from './session-view.js';

export const approvalDecisionSchema = z.object({
  decision: z.enum(['allow_once', 'allow_always', 'reject_once', 'reject_always']),
  reason: z.string().max(2000).optional(),
});
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
    /** approval id → session id, filled as requests come in */
    private readonly index: Map<string, string>,
  ) {}

  list(filter: { session_id?: string } = {}): ApprovalView[] {
    const out: ApprovalView[] = [];
    for (const actor of this.sessions.actors()) {
      const c = actor.snapshot().context;
      if (filter.session_id && c.id !== filter.session_id) continue;
      out.push(...approvalViews(c));
    }
    return out.sort((a, b) => (a.requested_at ?? '').localeCompare(b.requested_at ?? ''));
  }

  async decide(approvalId: string, input: ApprovalDecision, meta: EventMeta): Promise<DecidedApproval> {
    const sessionId = this.index.get(approvalId) ?? this.findPending(approvalId);
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

  private findPending(approvalId: string): string | undefined {
    for (const actor of this.sessions.actors()) {
      if (approvalId in actor.snapshot().context.approvals) return actor.id;
    }
    return undefined;
  }
}
