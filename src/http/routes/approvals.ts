// Pending approvals and their decisions.
import { z } from 'zod';
import type { Route } from '../router.js';
import { parseWith, queryObject } from '../validation.js';
import type { GatewayServices } from '../services.js';
import { approvalDecisionSchema } from '../../sessions/approval-service.js';
import { commandMeta } from './prompt-requests.js';
import { scopeFor } from '../scopes.js';
import { approvalSchema } from '../schemas/sessions.js';
import { decidedApprovalSchema } from '../schemas/approvals.js';

const listQuery = z.object({ session_id: z.string().min(1).optional().describe('only the approvals of this session') }).strict();
const decisionBody = approvalDecisionSchema.strict().meta({ id: 'ApprovalDecision' });

export function approvalRoutes(gw: GatewayServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/approvals',
      scope: scopeFor('list_approvals'),
      doc: {
        operationId: 'listApprovals',
        summary: 'Pending permission requests of agents, with their options and tool calls',
        tag: 'approvals',
        query: listQuery,
        responses: { 200: { description: 'the pending approvals', json: z.array(approvalSchema) } },
      },
      handler: (ctx) => ({ status: 200, json: gw.approvals.list(parseWith(listQuery, queryObject(ctx.query), 'query')) }),
    },
    {
      method: 'POST',
      path: '/api/v1/approvals/:id',
      scope: scopeFor('decide_approval'),
      doc: {
        operationId: 'decideApproval',
        summary: 'Answer a pending permission request: allow or reject, once or always',
        tag: 'approvals',
        params: { id: 'the approval id' },
        body: decisionBody,
        responses: { 200: { description: 'the decision, recorded and sent to the agent', json: decidedApprovalSchema } },
        errors: { 404: 'approval_not_found', 409: 'approval_already_decided' },
      },
      handler: async (ctx) => {
        const input = parseWith(decisionBody, await ctx.readJson(gw.config.limits.max_body_bytes));
        return { status: 200, json: await gw.approvals.decide(ctx.params[0]!, input, commandMeta(ctx)) };
      },
    },
  ];
}
