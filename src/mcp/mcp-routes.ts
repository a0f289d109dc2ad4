// `/mcp` routes: POST carries JSON-RPC messages, GET opens a session's server-to-client stream, DELETE ends a session.
// Bearer auth and rate limiting are the router's, as on `/api/*`.
import type { Route, RouteHandler } from '../http/router.js';
import type { GatewayServices } from '../http/services.js';
import { McpEndpoint, type McpEndpointOptions } from './mcp-endpoint.js';

export function mcpRoutes(gw: GatewayServices, o: McpEndpointOptions = {}): Route[] {
  const endpoint = new McpEndpoint(gw, o);
  gw.atShutdown(() => endpoint.close());
  const handler: RouteHandler = (ctx) => endpoint.handle(ctx);
  return [
    { method: 'POST', path: '/mcp', handler },
    { method: 'GET', path: '/mcp', handler },
    { method: 'DELETE', path: '/mcp', handler },
  ];
}
