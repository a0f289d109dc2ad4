// A person's decision on a pending approval, as clients send it (REST, WebSocket, MCP): in a module of its own, with
// nothing but zod, so that the typed client and the console take its type without the approval service.
import { z } from 'zod';

export const approvalDecisionSchema = z.object({
  decision: z.enum(['allow_once', 'allow_always', 'reject_once', 'reject_always']),
  reason: z.string().max(2000).optional(),
});
