// `/acp` and `/acp/{agent}` over WebSocket: the upgrade is checked like every upgrade (Host/Origin, bearer token in
// the Authorization header — never in the URL), then handed to the ACP SDK's server through a small adapter that
// gives a uWS socket the shape the SDK expects (send, close, bufferedAmount, message/close events). After uWS reports
// a socket closed, nothing touches it again (uWS rule: that would crash the process).
import { EventEmitter } from 'node:events';
import type { TemplatedApp, WebSocket } from '../http/uws.js';
import type { TokenAuthenticator } from '../http/auth.js';
import type { GatewayServices } from '../http/services.js';
import { guardCallback, guardUpgrade, answerInternalError } from '../http/uws-guard.js';
import { authenticateUpgrade } from '../http/upgrade-auth.js';
import { errorBody } from '../http/errors.js';
import { decodeComponent } from '../http/uri.js';
import { nextRequestId } from '../http/router.js';
import type { RemoteAcpLoader } from './acp-routes.js';
import { endpointAgent } from './endpoint-agent.js';
import type { RemoteClient } from './gateway-agent.js';

interface AcpSocketData {
  client: RemoteClient;
  accept?: (socket: UwsSocket) => void;
  connectionId?: string;
  socket?: UwsSocket;
}

/** The WebSocket shape the ACP SDK drives (ws-utils.ts WebSocketLike), over one uWS socket. */
class UwsSocket extends EventEmitter {
  private closed = false;

  constructor(private readonly ws: WebSocket<AcpSocketData>) {
    super();
  }

  get readyState(): number {
    return this.closed ? 3 : 1;
  }

  get bufferedAmount(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }

  send(data: string): void {
    if (!this.closed) this.ws.send(data, false);
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.end(code, reason);
  }

  /** uWS reported the socket closed: from now on it must not be touched. */
  gone(code: number): void {
    this.closed = true;
    this.emit('close', code);
  }
}

export function mountRemoteAcpSocket(app: TemplatedApp, gw: GatewayServices, auth: TokenAuthenticator, load: RemoteAcpLoader): void {
  for (const pattern of ['/acp', '/acp/:agent']) {
    app.ws<AcpSocketData>(pattern, {
      maxPayloadLength: gw.config.limits.max_body_bytes,
      maxBackpressure: 64 * 1024 * 1024,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      upgrade: guardUpgrade(gw.logger, 'acp ws upgrade', (res, req, context) => {
        const key = req.getHeader('sec-websocket-key');
        const protocol = req.getHeader('sec-websocket-protocol');
        const extensions = req.getHeader('sec-websocket-extensions');
        // every ACP method is checked against the token's scopes once the connection runs (gateway-agent.ts)
        const principal = authenticateUpgrade(res, req, { hostOrigin: gw.hostOrigin, auth }, 'any', false);
        if (!principal) return;
        const named = pattern === '/acp' ? req.getQuery('agent') || undefined : decodeComponent(req.getParameter(0) ?? '');
        const agent = endpointAgent(gw.config, named);
        if (agent === undefined) {
          res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json').end(errorBody('agent_not_found', 'agent not configured'));
          return;
        }
        const client: RemoteClient = {
          principal: principal.name,
          scopes: principal.scopes,
          agent,
          meta: { principal: principal.name, scopes: principal.scopes, request_id: `acp-ws-${nextRequestId()}`, client: Buffer.from(res.getRemoteAddressAsText()).toString() },
        };
        // the ACP server side loads on first use: the upgrade completes once it has
        let aborted = false;
        res.onAborted(() => {
          aborted = true;
        });
        load().then(
          (endpoint) => {
            if (aborted) return;
            const prepared = endpoint.prepareUpgrade(client);
            const data: AcpSocketData = { client, connectionId: prepared.connectionId, accept: (s) => prepared.accept(s as never) };
            res.cork(() => res.upgrade(data, key, protocol, extensions, context));
          },
          (e: Error) => {
            gw.logger.error('the ACP endpoint failed to load', { error: e });
            if (!aborted) answerInternalError(res);
          },
        );
      }),
      open: guardCallback(gw.logger, 'acp ws open', undefined, (ws: WebSocket<AcpSocketData>) => {
        const d = ws.getUserData();
        d.socket = new UwsSocket(ws);
        d.accept?.(d.socket);
      }),
      message: guardCallback(gw.logger, 'acp ws message', undefined, (ws: WebSocket<AcpSocketData>, message: ArrayBuffer, isBinary: boolean) => {
        const d = ws.getUserData();
        // copied: uWS neuters the buffer after this callback; ACP speaks text frames only
        if (isBinary) d.socket?.emit('message', Buffer.from(message), true);
        else d.socket?.emit('message', Buffer.from(message).toString('utf8'));
      }),
      close: guardCallback(gw.logger, 'acp ws close', undefined, (ws: WebSocket<AcpSocketData>, code: number) => {
        const d = ws.getUserData();
        d.socket?.gone(code);
        if (d.connectionId) void load().then((e) => e.disown(d.connectionId!));
      }),
    });
  }
}
