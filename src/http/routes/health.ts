// Liveness, readiness (open, empty bodies as API.txt documents) and the Prometheus metrics.
import type { Route } from '../router.js';
import type { GatewayServices } from '../services.js';
import { scopeFor } from '../scopes.js';

export function healthRoutes(gw: GatewayServices): Route[] {
  return [
    { method: 'GET', path: '/health', auth: false, handler: () => ({ status: 200 }) },
    {
      method: 'GET',
      path: '/readiness',
      auth: false,
      // ready = at least one agent configured and the log accepts writes
      handler: () => ({ status: Object.keys(gw.config.agents).length > 0 && !gw.shuttingDown() ? 200 : 503 }),
    },
    {
      // Prometheus text format; open unless `server.metrics_public: false` (then an admin's)
      method: 'GET',
      path: '/metrics',
      auth: !gw.config.server.metrics_public,
      scope: scopeFor('read_metrics'),
      handler: async () => {
        const m = await gw.metrics.render();
        return { status: 200, body: m.text, headers: { 'content-type': m.contentType } };
      },
    },
  ];
}
