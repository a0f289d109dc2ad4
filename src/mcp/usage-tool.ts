// acp_usage: the figures of GET /api/v1/usage over MCP, with the same parameters and the same answer. The input
// schema is plain (what tools/list shows); the values are then read by the one usage query schema, so a bad date
// is the same error here as on REST.
import { z } from 'zod';
import type { GatewayServices } from '../http/services.js';
import { scopeFor } from '../http/scopes.js';
import { zodIssueMessage } from '../http/validation.js';
import { usageQuerySchema, usageReport } from '../usage/index.js';
import { GROUP_KEYS } from '../usage/usage-query.js';
import { defineTool, errorResult, json, textResult, type McpTool } from './tool-kit.js';

const timeBound = z.union([z.string().min(1).max(64), z.number().int().min(0)]);

export function usageTool(gw: GatewayServices): McpTool {
  return defineTool({
    name: 'acp_usage',
    description:
      'Tokens, cost, prompts and turns, as the agents reported them: totals, and groups when group_by is given. ' +
      'Filters: agent, session (id), token (API token name), since/until (a date such as 2026-05-01, ISO 8601 or epoch ms).',
    scope: scopeFor('read_usage'),
    input: z
      .object({
        agent: z.string().min(1).max(64).optional().describe('only turns of this agent'),
        session: z.string().min(1).max(256).optional().describe('only turns of this session (its id)'),
        token: z.string().min(1).max(256).optional().describe('only prompts sent with this API token (its name)'),
        since: timeBound.optional().describe('from this time on: a date (2026-05-01), ISO 8601 or epoch ms'),
        until: timeBound.optional().describe('before this time: a date, ISO 8601 or epoch ms'),
        group_by: z.enum(GROUP_KEYS).optional().describe('figures per agent, model, session, token or UTC day'),
      })
      .strict(),
    run: async (args) => {
      const q = usageQuerySchema.safeParse(args);
      if (!q.success) return errorResult(`Error: ${zodIssueMessage(q.error)}`, { error: { code: 'invalid_request' } });
      gw.usage.ensureFolded();
      const report = usageReport(gw.usage.turns, q.data);
      return textResult(json(report), { ...report });
    },
  });
}
