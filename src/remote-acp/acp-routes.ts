// `/acp` and `/acp/{agent}` routes: POST carries JSON-RPC messages, GET opens a connection's or a session's stream,
// DELETE ends a connection. Bearer auth and rate limiting are the router's; each ACP method is then checked against
// the token's scopes (gateway-agent.ts). The ACP server side is loaded on the first request, not at boot.
import type { Route, RouteHandler } from '../http/router.js';
import type { GatewayServices } from '../http/services.js';
import type { RemoteAcpEndpoint } from './acp-endpoint.js';

export type RemoteAcpLoader = () => Promise<RemoteAcpEndpoint>;

/** One endpoint per gateway, shared by the HTTP routes and the WebSocket upgrade. */
export function remoteAcpLoader(gw: GatewayServices): RemoteAcpLoader {
  let endpoint: Promise<RemoteAcpEndpoint> | undefined;
  gw.atShutdown(async () => {
    if (endpoint) await (await endpoint).close();
  });
  return () => (endpoint ??= import('./acp-endpoint.js').then((m) => new m.RemoteAcpEndpoint(gw)));
}

export function remoteAcpRoutes(gw: GatewayServices, load: RemoteAcpLoader): Route[] {
  const handler: RouteHandler = (ctx) => {
    // uWS delivers the body only to a reader attached before the handler's first await
    const body = ctx.method.toUpperCase() === 'POST' ? ctx.readBody(gw.config.limits.max_body_bytes) : undefined;
    body?.catch(() => undefined); // handle() awaits it and reports its failure
    return load().then((e) => e.handle(ctx, body));
  };
  const routes: Route[] = [];
  for (const path of ['/acp', '/acp/:agent']) {
    for (const method of ['POST', 'GET', 'DELETE'] as const) routes.push({ method, path, scope: 'any', handler });
  }
  return routes;
}
