// The JSON of the approval routes (the pending approval itself is approvalSchema in sessions.ts).
import { z } from 'zod';

export const decidedApprovalSchema = z
  .object({
    approval_id: z.string(),
    session_id: z.string(),
    decision: z.string(),
    /** the agent's option the decision chose (null: none of its options matched; the request was cancelled) */
    option_id: z.string().nullable(),
    decided_by: z.string(),
    position: z.number().int(),
  })
  .meta({ id: 'DecidedApproval' });
