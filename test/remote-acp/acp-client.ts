// A remote ACP client for the tests: the ACP SDK's own client app over its own remote transports (Streamable HTTP
// or WebSocket) against a real gateway's `/acp` endpoint. It keeps every session/update it receives and answers
// permission requests with what the test says.
import { client as clientApp, PROTOCOL_VERSION } from '@agentclientprotocol/sdk';
import type { ClientConnection, RequestPermissionRequest, RequestPermissionResponse } from '@agentclientprotocol/sdk';
import { createHttpStream } from '@agentclientprotocol/sdk/experimental/http-client';
import { createWebSocketStream } from '@agentclientprotocol/sdk/experimental/ws-client';
import WebSocket from 'ws';
import { TOKEN } from '../helpers/gateway.js';

export interface ReceivedUpdate {
  sessionId: string;
  update: { sessionUpdate: string; content?: { type: string; text?: string }; [k: string]: unknown };
  _meta?: Record<string, unknown>;
}

export interface RemoteClientOptions {
  transport?: 'http' | 'ws';
  token?: string;
  /** the answer to a permission request (default: never answers) */
  onPermission?: (p: RequestPermissionRequest, signal: AbortSignal) => Promise<RequestPermissionResponse>;
}

export interface RemoteClient {
  connection: ClientConnection;
  updates: ReceivedUpdate[];
  permissions: RequestPermissionRequest[];
  /** the agent-side methods (initialize has been answered already) */
  request<T = any>(method: string, params: unknown): Promise<T>;
  notify(method: string, params: unknown): Promise<void>;
  text(sessionId: string): string;
  close(): void;
}

export async function connectRemote(baseUrl: string, path = '/acp/demo', o: RemoteClientOptions = {}): Promise<RemoteClient> {
  const headers = { authorization: `Bearer ${o.token ?? TOKEN}` };
  const stream =
    o.transport === 'ws'
      ? createWebSocketStream(`${baseUrl.replace(/^http/, 'ws')}${path}`, { headers, WebSocket: WebSocket as never })
      : createHttpStream(`${baseUrl}${path}`, { headers });
  const updates: ReceivedUpdate[] = [];
  const permissions: RequestPermissionRequest[] = [];
  const app = clientApp({ name: 'aintegrix-test-client' })
    .onNotification('session/update', ({ params }) => {
      updates.push(params as never);
    })
    .onRequest('session/request_permission', ({ params, signal }) => {
      permissions.push(params);
      if (o.onPermission) return o.onPermission(params, signal);
      return new Promise<RequestPermissionResponse>((resolve) => signal.addEventListener('abort', () => resolve({ outcome: { outcome: 'cancelled' } })));
    });
  const connection = app.connect(stream);
  await connection.agent.request('initialize', { protocolVersion: PROTOCOL_VERSION, clientCapabilities: {} } as never);
  return {
    connection,
    updates,
    permissions,
    request: (method, params) => connection.agent.request(method as never, params as never) as never,
    notify: (method, params) => connection.agent.notify(method as never, params as never),
    text: (sessionId) =>
      updates
        .filter((u) => u.sessionId === sessionId && u.update.sessionUpdate === 'agent_message_chunk')
        .map((u) => u.update.content?.text ?? '')
        .join(''),
    close: () => connection.close(),
  };
}
