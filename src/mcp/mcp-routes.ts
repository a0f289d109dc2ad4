// `/mcp` routes: POST carries JSON-RPC messages, GET opens a session's server-to-client stream, DELETE ends a session.
// Bearer auth and rate limiting are the router's, as on `/api/*`. The MCP SDK is loaded on the first request, not at
// boot (it is the heaviest module graph of the gateway and many deployments never use MCP).
import type { Route, RouteHandler } from '../http/router.js';
import type { GatewayServices } from '../http/services.js';
import type { McpEndpoint, McpEndpointOptions } from './mcp-endpoint.js';
import type { RouteDoc } from '../http/route-doc.js';
import { z } from 'zod';
import { jsonRpcMessageSchema, jsonRpcRequestSchema, mcpErrorSchema } from '../http/schemas/mcp.js';

const SSE = 'an SSE stream of JSON-RPC messages (a session opened by initialize with Accept: text/event-stream)';
const common = { tag: 'mcp', errorBody: mcpErrorSchema, errors: { 404: 'Mcp-Session-Id of no session (of this token)' } } as const;
const DOCS: Record<'POST' | 'GET' | 'DELETE', RouteDoc> = {
  POST: {
    ...common,
    operationId: 'mcpPost',
    summary: 'MCP JSON-RPC (Streamable HTTP): initialize, tools/list, tools/call; plain JSON without a session too',
    body: z.union([jsonRpcRequestSchema, z.array(jsonRpcRequestSchema)]),
    responses: {
      200: { description: 'the JSON-RPC answer', json: z.union([jsonRpcMessageSchema, z.array(jsonRpcMessageSchema)]), media: { 'text/event-stream': { description: SSE } } },
      202: { description: 'a notification or response accepted', json: z.object({}) },
    },
  },
  GET: {
    ...common,
    operationId: 'mcpStream',
    summary: "An MCP session's server-to-client SSE stream (Mcp-Session-Id)",
    responses: { 200: { description: 'the stream', media: { 'text/event-stream': { description: SSE } } } },
  },
  DELETE: {
    ...common,
    operationId: 'mcpEndSession',
    summary: 'End an MCP session (Mcp-Session-Id)',
    responses: { 200: { description: 'ended' } },
  },
};

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
    { method: 'POST', path: '/mcp', scope: 'any', doc: DOCS.POST, handler },
    { method: 'GET', path: '/mcp', scope: 'any', doc: DOCS.GET, handler },
    { method: 'DELETE', path: '/mcp', scope: 'any', doc: DOCS.DELETE, handler },
  ];
}
