// Agents as configured, the models they offer, and their live status.
import { preparedReply, type Route } from '../router.js';
import { HttpError } from '../errors.js';
import type { GatewayServices } from '../services.js';
import { scopeFor } from '../scopes.js';
import { findAgent } from '../../config/agent-lookup.js';
import { z } from 'zod';
import { agentModelsSchema, agentSchema, agentStatusSchema } from '../schemas/agents.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

export function agentRoutes(gw: GatewayServices): Route[] {
  // the configured agents do not change while the gateway runs: their response is built once
  const agentList = preparedReply(
    200,
    JSON.stringify(Object.entries(gw.config.agents).map(([name, a]) => ({ name, command: a.command, mode: a.mode, max_sessions: a.max_sessions }))),
    JSON_HEADERS,
  );
  return [
    {
      method: 'GET',
      path: '/api/v1/agents',
      scope: scopeFor('list_agents'),
      doc: { operationId: 'listAgents', summary: 'The configured agents', tag: 'agents', responses: { 200: { description: 'the agents', json: z.array(agentSchema) } } },
      handler: () => agentList,
    },
    {
      method: 'GET',
      path: '/api/v1/agents/status',
      scope: scopeFor('read_agent_status'),
      doc: {
        operationId: 'agentStatus',
        summary: 'Each agent: idle/busy, active sessions against max_sessions, restarts, last error',
        tag: 'agents',
        responses: { 200: { description: 'the status of every agent', json: z.array(agentStatusSchema) } },
      },
      handler: () => ({ status: 200, json: gw.agentStatus.all() }),
    },
    {
      method: 'GET',
      path: '/api/v1/agents/:name/models',
      scope: scopeFor('list_agents'),
      doc: {
        operationId: 'agentModels',
        summary: 'The models an agent offers (configured, and reported by its live sessions)',
        tag: 'agents',
        params: { name: 'the agent name' },
        responses: { 200: { description: 'the models', json: agentModelsSchema } },
        errors: { 404: 'agent_not_found' },
      },
      handler: (ctx) => {
        const name = ctx.params[0]!;
        const a = findAgent(gw.config, name);
        if (!a) throw new HttpError(404, 'agent_not_found', `agent '${name}' not configured`);
        const reported = gw.agentStatus.reportedModels(name);
        const models = [...new Set([...a.models, ...(reported?.available ?? [])])];
        return {
          status: 200,
          json: { agent: name, default_model: a.default_model ?? null, models, configured: a.models, reported: reported ?? null },
        };
      },
    },
  ];
}
