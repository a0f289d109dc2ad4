// GET /api/v1/usage: tokens, cost, prompts and turns from the usage ledger (a fold of the log), filtered by agent,
// session, API token and time, optionally grouped. Every bad parameter is a 400 that names it.
import type { Route } from '../router.js';
import { HttpError } from '../errors.js';
import type { GatewayServices } from '../services.js';
import { scopeFor } from '../scopes.js';
import { usageQuerySchema, usageReport, type UsageQuery } from '../../usage/index.js';

const KNOWN = Object.keys(usageQuerySchema.shape);

export function parseUsageQuery(query: URLSearchParams): UsageQuery {
  const raw = Object.create(null) as Record<string, string>;
  for (const [k, v] of query) {
    if (Object.hasOwn(raw, k)) throw new HttpError(400, 'invalid_request', `query: ${k}: given more than once`);
    raw[k] = v;
  }
  const r = usageQuerySchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new HttpError(400, 'invalid_request', `query: ${issue.keys[0]}: unknown parameter (known: ${KNOWN.join(', ')})`);
  }
  throw new HttpError(400, 'invalid_request', `query: ${issue.path.join('.')}: ${issue.message}`);
}

export function usageRoutes(gw: GatewayServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/usage',
      scope: scopeFor('read_usage'),
      handler: (ctx) => {
        const q = parseUsageQuery(ctx.query);
        gw.usage.ensureFolded();
        return { status: 200, json: usageReport(gw.usage.turns, q) };
      },
    },
  ];
}
