// Pending approvals and their decisions.
import { z } from 'zod';
import type { Route } from '../router.js';
import { parseWith, queryObject } from '../validation.js';
import type { GatewayServices } from '../services.js';
import { approvalDecisionSchema } from '../../sessions/approval-service.js';
import { commandMeta } from './prompt-requests.js';
import { scopeFor } from '../scopes.js';

const listQuery = z.object({ session_id: z.string().min(1).optional() }).strict();

export function approvalRoutes(gw: GatewayServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/approvals',
      scope: scopeFor('list_approvals'),
      handler: (ctx) => ({ status: 200, json: gw.approvals.list(parseWith(listQuery, queryObject(ctx.query), 'query')) }),
    },
    {
      method: 'POST',
      path: '/api/v1/approvals/:id',
      scope: scopeFor('decide_approval'),
      handler: async (ctx) => {
        const input = parseWith(approvalDecisionSchema.strict(), await ctx.readJson(gw.config.limits.max_body_bytes));
        return { status: 200, json: await gw.approvals.decide(ctx.params[0]!, input, commandMeta(ctx)) };
      },
    },
  ];
}
