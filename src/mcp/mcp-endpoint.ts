// `/mcp`: MCP's Streamable HTTP transport, served by the SDK's Web-standard transport bridged onto uWS.
//
// Which transport answers a request:
// - a request with `Mcp-Session-Id` goes to that session's transport (404 when unknown or opened by another token);
// - `initialize` from a client that accepts `text/event-stream` opens a new session (SSE responses, a GET stream);
// - anything else (clients that only take JSON, like the original's curl and Python examples, or a call without a
//   session) is answered by a one-request stateless transport in JSON-response mode: plain JSON in, plain JSON out.
import type { RequestContext } from '../http/request-context.js';
import { sendWebResponse, toWebRequest } from '../http/web-bridge.js';
import type { GatewayServices } from '../http/services.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createMcpServer } from './mcp-server.js';
import { McpSessionRegistry, type McpSession } from './mcp-sessions.js';
import { parseBody, sendRpcError, withInitializeDefaults } from './json-rpc.js';
import { requestAuthInfo } from './tool-kit.js';
import { normalizeHost, normalizeOrigin } from '../config/host-values.js';

/** What the SDK transport requires of every POST; plain JSON clients get it filled in. */
const BOTH_ACCEPTED = 'application/json, text/event-stream';

export interface McpEndpointOptions {
  idleMs?: number;
  maxSessions?: number;
}

export class McpEndpoint {
  readonly sessions: McpSessionRegistry;

  constructor(
    private readonly gw: GatewayServices,
    o: McpEndpointOptions = {},
  ) {
    this.sessions = new McpSessionRegistry({
      createServer: (hooks) => createMcpServer(gw, hooks),
      dnsRebinding: () => gw.hostOrigin.sdkOptions(),
      idleMs: o.idleMs,
      maxSessions: o.maxSessions,
      shuttingDown: () => gw.shuttingDown(),
    });
  }

  /** @param body the request body when the caller already started reading it (it must, before any await: uWS) */
  async handle(ctx: RequestContext, body?: Promise<Buffer>): Promise<undefined> {
    const sessionId = ctx.headers['mcp-session-id'];
    if (ctx.method.toUpperCase() !== 'POST') {
      if (sessionId === undefined) sendRpcError(ctx, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
      else await this.inSession(ctx, sessionId);
      return undefined;
    }
    const raw = await (body ?? ctx.readBody(this.gw.config.limits.max_body_bytes));
    const parsed = parseBody(raw);
    if (!parsed.ok) {
      sendRpcError(ctx, parsed.status, parsed.code, parsed.message);
      return undefined;
    }
    if (sessionId !== undefined) await this.inSession(ctx, sessionId, raw, parsed.value);
    else if (parsed.method === 'initialize' && acceptsEventStream(ctx)) await this.openSession(ctx, raw, parsed.value);
    else await this.stateless(ctx, raw, parsed.value);
    return undefined;
  }

  private async inSession(ctx: RequestContext, id: string, body?: Buffer, message?: unknown): Promise<void> {
    const session = this.sessions.get(id);
    if (!session || session.principal !== ctx.principal?.name) {
      sendRpcError(ctx, 404, -32001, 'Session not found');
      return;
    }
    await this.serve(ctx, session, body, message);
  }

  private async openSession(ctx: RequestContext, body: Buffer, message: unknown): Promise<void> {
    if (this.sessions.size >= this.sessions.maxSessions) {
      sendRpcError(ctx, 503, -32000, `too many MCP sessions (${this.sessions.maxSessions}); end one with DELETE /mcp or use plain JSON requests`);
      return;
    }
    const session = await this.sessions.open(ctx.principal?.name ?? 'unknown');
    try {
      await this.serve(ctx, session, body, message);
    } finally {
      await this.sessions.closeIfUninitialized(session);
    }
  }

  private async serve(ctx: RequestContext, session: McpSession, body: Buffer | undefined, message: unknown): Promise<void> {
    this.sessions.begin(session);
    try {
      const request = toWebRequest(ctx, { body, headers: checkedHeaders(ctx) });
      const response = await session.transport.handleRequest(request, { parsedBody: message, authInfo: requestAuthInfo(ctx) });
      await sendWebResponse(ctx, response);
    } finally {
      this.sessions.end(session);
    }
  }

  private async stateless(ctx: RequestContext, body: Buffer, message: unknown): Promise<void> {
    const transport = new WebStandardStreamableHTTPServerTransport({
      ...this.gw.hostOrigin.sdkOptions(),
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    const server = createMcpServer(this.gw);
    await server.connect(transport);
    // The client leaving closes the server, which aborts the running tool (a prompt's turn is then cancelled). The
    // JSON response of a closed transport never resolves, hence the race.
    const gone = new Promise<undefined>((resolve) => ctx.onAbort(() => resolve(undefined)));
    ctx.onAbort(() => void server.close().catch(() => undefined));
    try {
      const request = toWebRequest(ctx, { body, headers: { ...checkedHeaders(ctx), accept: BOTH_ACCEPTED } });
      const answered = transport.handleRequest(request, { parsedBody: withInitializeDefaults(message), authInfo: requestAuthInfo(ctx) });
      const response = await Promise.race([answered, gone]);
      if (!response) return;
      // a notification is accepted with 202 and no body; plain clients that parse every answer get `{}`
      if (response.status === 202 && !response.body) ctx.sendJson(202, {});
      else await sendWebResponse(ctx, response);
    } finally {
      await server.close().catch(() => undefined);
    }
  }

  close(): Promise<void> {
    return this.sessions.closeAll();
  }
}

/**
 * Host and Origin as the router checked them (lower-cased), for the SDK's exact-string check of the same lists: a
 * `LocalHost:8050` the router accepted must not be refused by the SDK.
 */
function checkedHeaders(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  const host = normalizeHost(ctx.headers['host'] ?? '');
  if (host !== undefined) out.host = host;
  const origin = ctx.headers['origin'] ? normalizeOrigin(ctx.headers['origin']) : undefined;
  if (origin !== undefined) out.origin = origin;
  return out;
}

function acceptsEventStream(ctx: RequestContext): boolean {
  return (ctx.headers['accept'] ?? '').includes('text/event-stream');
}
