// `/acp` and `/acp/{agent}` routes: POST carries JSON-RPC messages, GET opens a connection's or a session's stream,
// DELETE ends a connection. Bearer auth and rate limiting are the router's; each ACP method is then checked against
// the token's scopes (gateway-agent.ts). The ACP server side is loaded on the first request, not at boot.
import type { Route, RouteHandler } from '../http/router.js';
import type { GatewayServices } from '../http/services.js';
import type { RemoteAcpEndpoint } from './acp-endpoint.js';
import type { RouteDoc } from '../http/route-doc.js';
import { z } from 'zod';
import { jsonRpcMessageSchema, jsonRpcRequestSchema, mcpErrorSchema } from '../http/schemas/mcp.js';

const SSE = 'an SSE stream of the connection\'s (or, with Acp-Session-Id, the session\'s) JSON-RPC messages, with log positions as ids (Last-Event-ID resumes)';

/** What GET /openapi.json says of the ACP routes (the agent in the path, or ?agent=, else the default agent). */
function acpDoc(method: 'POST' | 'GET' | 'DELETE', withAgent: boolean): RouteDoc {
  const suffix = withAgent ? 'ForAgent' : '';
  const common = {
    tag: 'acp',
    errorBody: mcpErrorSchema,
    ...(withAgent ? { params: { agent: 'the agent the connection talks to' } } : {}),
    errors: { 404: 'agent_not_found, or an Acp-Connection-Id of no connection (of this token)' },
  };
  if (method === 'POST') {
    return {
      ...common,
      operationId: `acpPost${suffix}`,
      summary: 'ACP over Streamable HTTP: initialize opens a connection (Acp-Connection-Id), then session/new, session/prompt, ...',
      body: z.union([jsonRpcRequestSchema, z.array(jsonRpcRequestSchema)]),
      responses: {
        200: { description: 'the JSON-RPC answer', json: z.union([jsonRpcMessageSchema, z.array(jsonRpcMessageSchema)]), media: { 'text/event-stream': { description: SSE } } },
        202: { description: 'a notification or response accepted' },
      },
    };
  }
  if (method === 'GET') {
    return { ...common, operationId: `acpStream${suffix}`, summary: "A connection's or a session's stream of server messages", responses: { 200: { description: 'the stream', media: { 'text/event-stream': { description: SSE } } } } };
  }
  return { ...common, operationId: `acpClose${suffix}`, summary: 'End a connection (Acp-Connection-Id)', responses: { 202: { description: 'ended' } } };
}

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
    for (const method of ['POST', 'GET', 'DELETE'] as const) routes.push({ method, path, scope: 'any', doc: acpDoc(method, path !== '/acp'), handler });
  }
  return routes;
}
