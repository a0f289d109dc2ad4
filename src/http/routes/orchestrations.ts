// Orchestrations: POST /orchestrate (the final JSON, or SSE with Accept: text/event-stream), and the routes every
// multi-agent kind has (src/multiagent/actor-routes.ts): list, read, events, delete, resume.
import type { Route } from '../router.js';
import { parseWith } from '../validation.js';
import type { GatewayServices } from '../services.js';
import { commandMeta, readBody } from './prompt-requests.js';
import { scopeFor } from '../scopes.js';
import { orchestrateSchema } from '../../orchestrations/orchestrate-request.js';
import { answerRun } from '../../multiagent/actor-sse.js';
import { multiAgentRoutes } from '../../multiagent/actor-routes.js';
import { ORCHESTRATION_STREAM, orchestrationSchema, orchestrationSummarySchema } from '../schemas/orchestrations.js';

const requestSchema = orchestrateSchema.meta({ id: 'OrchestrateRequest' });

export function orchestrationRoutes(gw: GatewayServices): Route[] {
  const service = gw.orchestrations;
  return [
    {
      method: 'POST',
      path: '/api/v1/orchestrate',
      scope: scopeFor('orchestrate'),
      doc: {
        operationId: 'orchestrate',
        summary: 'One prompt to several agents: parallel (all answer), race (the first end_turn wins), jury (a judge picks)',
        tag: 'orchestrations',
        body: requestSchema,
        responses: {
          200: { description: 'the orchestration once it ended (or its SSE stream with Accept: text/event-stream)', json: orchestrationSchema, media: { 'text/event-stream': { description: ORCHESTRATION_STREAM } } },
        },
        errors: { 404: 'agent_not_found', 429: 'too_many_sessions / capacity_exceeded / rate_limited' },
      },
      handler: async (ctx) => {
        const input = parseWith(requestSchema, await readBody(gw, ctx));
        const run = await service.start(input, commandMeta(ctx));
        return answerRun(gw, ctx, `orchestration:${run.id}`, run, service.sse);
      },
    },
    ...multiAgentRoutes(
      gw,
      service,
      { read: scopeFor('read_orchestrations'), write: scopeFor('orchestrate') },
      { tag: 'orchestrations', noun: 'Orchestration', view: orchestrationSchema, summary: orchestrationSummarySchema, stream: ORCHESTRATION_STREAM },
    ),
  ];
}
