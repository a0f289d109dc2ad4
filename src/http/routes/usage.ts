// GET /api/v1/usage: tokens, cost, prompts and turns from the usage ledger (a fold of the log), filtered by agent,
// session, API token and time, optionally grouped. Every bad parameter is a 400 that names it.
import type { Route } from '../router.js';
import type { GatewayServices } from '../services.js';
import { scopeFor } from '../scopes.js';
import { parseQuery } from '../validation.js';
import { usageQuerySchema, usageReport } from '../../usage/index.js';
import { usageReportSchema } from '../schemas/usage.js';

export function usageRoutes(gw: GatewayServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/usage',
      scope: scopeFor('read_usage'),
      doc: {
        operationId: 'usage',
        summary: 'Tokens, cost, prompts and turns, filtered by agent, session, token and time, optionally grouped',
        tag: 'usage',
        query: usageQuerySchema,
        responses: { 200: { description: 'the totals (and groups with group_by)', json: usageReportSchema } },
      },
      handler: (ctx) => {
        const q = parseQuery(usageQuerySchema, ctx.query);
        gw.usage.ensureFolded();
        return { status: 200, json: usageReport(gw.usage.turns, q) };
      },
    },
  ];
}
