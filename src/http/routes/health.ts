// Liveness, readiness (open, empty bodies as API.txt documents) and the Prometheus metrics.
import type { Route } from '../router.js';
import type { GatewayServices } from '../services.js';
import { scopeFor } from '../scopes.js';

export function healthRoutes(gw: GatewayServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/health',
      auth: false,
      doc: { operationId: 'health', summary: 'Liveness', tag: 'meta', responses: { 200: { description: 'alive (empty body)' } } },
      handler: () => ({ status: 200 }),
    },
    {
      method: 'GET',
      path: '/readiness',
      auth: false,
      doc: {
        operationId: 'readiness',
        summary: 'Readiness: an agent is configured and the log accepts writes',
        tag: 'meta',
        responses: { 200: { description: 'ready (empty body)' }, 503: { description: 'not ready: no agent configured, or shutting down (empty body)' } },
      },
      // ready = at least one agent configured and the log accepts writes
      handler: () => ({ status: Object.keys(gw.config.agents).length > 0 && !gw.shuttingDown() ? 200 : 503 }),
    },
    {
      // Prometheus text format; open unless `server.metrics_public: false` (then an admin's)
      method: 'GET',
      path: '/metrics',
      auth: !gw.config.server.metrics_public,
      scope: scopeFor('read_metrics'),
      doc: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (open unless server.metrics_public is false)',
        tag: 'meta',
        responses: { 200: { description: 'the metrics', media: { 'text/plain': { description: 'Prometheus text exposition format' } } } },
      },
      handler: async () => {
        const m = await gw.metrics.render();
        return { status: 200, body: m.text, headers: { 'content-type': m.contentType } };
      },
    },
  ];
}
