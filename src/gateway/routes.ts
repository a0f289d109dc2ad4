// Every HTTP route of the API, in one list, and GET /openapi.json documenting them all.
import type { Route } from '../http/router.js';
import { healthRoutes } from '../http/routes/health.js';
import { agentRoutes } from '../http/routes/agents.js';
import { sessionRoutes } from '../http/routes/sessions.js';
import { approvalRoutes } from '../http/routes/approvals.js';
import { notYetRoutes } from '../http/routes/not-yet.js';
import { mcpRoutes } from '../mcp/mcp-routes.js';
import { auditRoutes } from '../http/routes/audit.js';
import { streamRoutes } from '../http/routes/streams.js';
import { usageRoutes } from '../http/routes/usage.js';
import { orchestrationRoutes } from '../http/routes/orchestrations.js';
import { webhookRoutes } from '../http/routes/webhooks.js';
import { pipelineRoutes } from '../http/routes/pipelines.js';
import type { GatewayServices } from '../http/services.js';
import { consoleRoutes } from '../ui/console-routes.js';
import { openApiRoute } from '../http/routes/openapi.js';
import { remoteAcpRoutes, type RemoteAcpLoader } from '../remote-acp/acp-routes.js';

export function apiRoutes(gw: GatewayServices, remoteAcp: RemoteAcpLoader): Route[] {
  const routes = [
    ...healthRoutes(gw),
    ...agentRoutes(gw),
    ...sessionRoutes(gw),
    ...approvalRoutes(gw),
    ...auditRoutes(gw),
    ...streamRoutes(gw),
    ...usageRoutes(gw),
    ...orchestrationRoutes(gw),
    ...webhookRoutes(gw),
    ...pipelineRoutes(gw),
    ...mcpRoutes(gw),
    ...remoteAcpRoutes(gw, remoteAcp),
    ...notYetRoutes(),
    ...consoleRoutes(),
  ];
  return [...routes, openApiRoute(routes)];
}
