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

export function orchestrationRoutes(gw: GatewayServices): Route[] {
  const service = gw.orchestrations;
  return [
    {
      method: 'POST',
      path: '/api/v1/orchestrate',
      scope: scopeFor('orchestrate'),
      handler: async (ctx) => {
        const input = parseWith(orchestrateSchema, await readBody(gw, ctx));
        const run = await service.start(input, commandMeta(ctx));
        return answerRun(gw, ctx, `orchestration:${run.id}`, run, service.sse);
      },
    },
    ...multiAgentRoutes(gw, service, { read: scopeFor('read_orchestrations'), write: scopeFor('orchestrate') }),
  ];
}
