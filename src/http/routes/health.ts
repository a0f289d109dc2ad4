// Liveness and readiness: open routes (no token), empty bodies as API.txt documents.
import type { Route } from '../router.js';
import type { GatewayServices } from '../../gateway/services.js';

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
  ];
}
