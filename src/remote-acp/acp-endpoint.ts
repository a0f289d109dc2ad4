// `/acp` and `/acp/{agent}`: ACP's remote transport (Streamable HTTP), served by the ACP SDK's AcpServer bridged onto
// uWS the way `/mcp` bridges the MCP SDK. The gateway adds what the transport leaves out:
// - a connection belongs to the token that initialized it: another token's requests on it are answered as if the
//   connection did not exist (404), and the connection's token gates every method (gateway-agent.ts);
// - durable delivery: session updates carry their log position (SSE `id`, `_meta["acp/cursor"]`), and a session
//   stream reopened with `Last-Event-ID` gets exactly what it missed, once, in order (durable-sse.ts).
import { AcpServer } from '@agentclientprotocol/sdk/experimental/server';
import type { RequestContext } from '../http/request-context.js';
import type { GatewayServices } from '../http/services.js';
import { sendWebResponse, toWebRequest } from '../http/web-bridge.js';
import { errorBody } from '../errors/http-error.js';
import { endpointAgent } from './endpoint-agent.js';
import { commandMeta } from '../http/routes/prompt-requests.js';
import { buildGatewayAgent, type RemoteClient } from './gateway-agent.js';
import { durableSessionStream, checkLastEventId } from './durable-sse.js';
import { visibleTo } from './visibility.js';

const CONNECTION_HEADER = 'acp-connection-id';
const SESSION_HEADER = 'acp-session-id';

export class RemoteAcpEndpoint {
  readonly server: AcpServer;
  /** connection id → the token that opened it */
  private readonly owners = new Map<string, string>();
  /** the open session streams (connection + session): a reconnect takes the stream over from a dead one */
  private readonly streams = new Map<string, { ctx: RequestContext; done: Promise<void> }>();

  constructor(private readonly gw: GatewayServices) {
    this.server = new AcpServer({
      // every connection gets its own app (built for its token and agent) through the per-request override
      createAgent: () => {
        throw new Error('an ACP connection must be opened through the gateway endpoint');
      },
      maxBufferedBytes: 16 * 1024 * 1024,
      maxIdLength: 256,
    });
  }

  agentOf(ctx: RequestContext): string | undefined {
    return endpointAgent(this.gw.config, ctx.params[0] ?? ctx.query.get('agent') ?? undefined);
  }

  /** The app of a new connection opened by `ctx`'s token. */
  clientFor(ctx: RequestContext, agent: string): RemoteClient {
    return {
      principal: ctx.principal?.name ?? 'unknown',
      scopes: ctx.principal?.scopes ?? [],
      agent,
      meta: commandMeta(ctx),
    };
  }

  /** A WebSocket connection for `client`, owned by its token (the upgrade accepts or rejects it). */
  prepareUpgrade(client: RemoteClient) {
    const prepared = this.server.prepareWebSocketUpgrade({ createAgent: () => buildGatewayAgent(this.gw, client) });
    this.own(prepared.connectionId, client.principal);
    return prepared;
  }

  /** Remember which token opened a connection. */
  own(connectionId: string, principal: string): void {
    this.owners.set(connectionId, principal);
  }

  disown(connectionId: string): void {
    this.owners.delete(connectionId);
  }

  async handle(ctx: RequestContext, body: Promise<Buffer> | undefined): Promise<undefined> {
    const agent = this.agentOf(ctx);
    if (agent === undefined) {
      ctx.send(404, errorBody('agent_not_found', `agent '${ctx.params[0] ?? ctx.query.get('agent')}' not configured`), { 'content-type': 'application/json' });
      return undefined;
    }
    const raw = body ? await body : undefined;
    const connectionId = ctx.headers[CONNECTION_HEADER];
    if (connectionId !== undefined && this.owners.get(connectionId) !== ctx.principal?.name) {
      ctx.send(404, 'Unknown Acp-Connection-Id', { 'content-type': 'text/plain' });
      return undefined;
    }
    const method = ctx.method.toUpperCase();
    if (method === 'GET' && connectionId !== undefined) return this.openStream(ctx, connectionId);
    const client = this.clientFor(ctx, agent);
    const response = await this.server.handleRequest(toWebRequest(ctx, { body: raw }), {
      createAgent: () => buildGatewayAgent(this.gw, client),
    });
    const opened = response.headers.get('Acp-Connection-Id');
    if (method === 'POST' && connectionId === undefined && response.ok && opened) this.own(opened, client.principal);
    if (method === 'DELETE' && connectionId !== undefined && response.status === 202) this.disown(connectionId);
    await sendWebResponse(ctx, response);
    return undefined;
  }

  /** GET: a connection's or a session's stream of server messages, with log positions as event ids. */
  private async openStream(ctx: RequestContext, connectionId: string): Promise<undefined> {
    const sessionId = ctx.headers[SESSION_HEADER];
    const lastEventId = ctx.headers['last-event-id'];
    let after: number | undefined;
    if (sessionId !== undefined && lastEventId !== undefined) {
      // the replay reads the session's log: only a session this token may see
      const known = visibleTo(this.gw, ctx.principal?.name ?? '', ctx.principal?.scopes ?? [], sessionId) && checkLastEventId(this.gw, sessionId, lastEventId);
      if (!known) {
        ctx.send(409, errorBody('unknown_cursor', `Last-Event-ID '${lastEventId.slice(0, 40)}' is not a position of session '${sessionId}'`), { 'content-type': 'application/json' });
        return undefined;
      }
      after = Number(lastEventId);
    }
    // A client reconnects when it thinks its stream is gone, which the server may not have noticed yet (a dropped
    // network): the new request takes over, or the SDK would refuse it while the old one holds the stream.
    const key = `${connectionId}\n${sessionId ?? ''}`;
    const previous = this.streams.get(key);
    if (previous) {
      if (!previous.ctx.aborted) {
        try {
          previous.ctx.res.close();
        } catch {
          /* it had ended: nothing to close */
        }
      }
      // bounded: were the old stream never to let go, the SDK answers 409 and the client tries again
      await Promise.race([previous.done, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    const response = await this.server.handleRequest(toWebRequest(ctx));
    if (!response.ok || !response.body) {
      await sendWebResponse(ctx, response);
      return undefined;
    }
    const done = sendWebResponse(ctx, durableSessionStream(this.gw, response, sessionId, after));
    const entry = { ctx, done: done.catch(() => undefined) };
    this.streams.set(key, entry);
    try {
      await done;
    } finally {
      if (this.streams.get(key) === entry) this.streams.delete(key);
    }
    return undefined;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
