// `/mcp` routes: POST carries JSON-RPC messages, GET opens a session's server-to-client stream, DELETE ends a session.
// Bearer auth and rate limiting are the router's, as on `/api/*`. The MCP SDK is loaded on the first request, not at
// boot (it is the heaviest module graph of the gateway and many deployments never use MCP).
import type { Route, RouteHandler } from '../http/router.js';
import type { GatewayServices } from '../http/services.js';
import type { McpEndpoint, McpEndpointOptions } from './mcp-endpoint.js';

export function mcpRoutes(gw: GatewayServices, o: McpEndpointOptions = {}): Route[] {
  let endpoint: Promise<McpEndpoint> | undefined;
  const load = () => (endpoint ??= import('./mcp-endpoint.js').then((m) => new m.McpEndpoint(gw, o)));
  gw.atShutdown(async () => {
    if (endpoint) await (await endpoint).close();
  });
  const handler: RouteHandler = (ctx) => {
    // uWS delivers the body only to a reader attached before the handler's first await
    const body = ctx.method.toUpperCase() === 'POST' ? ctx.readBody(gw.config.limits.max_body_bytes) : undefined;
    body?.catch(() => undefined); // handle() awaits it and reports its failure
    return load().then((e) => e.handle(ctx, body));
  };
  // any token may speak MCP: each tool call is checked against the tool's scope (mcp-server.ts)
  return [
    { method: 'POST', path: '/mcp', scope: 'any', handler },
    { method: 'GET', path: '/mcp', scope: 'any', handler },
    { method: 'DELETE', path: '/mcp', scope: 'any', handler },
  ];
}
