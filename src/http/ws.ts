// The WebSocket session stream (`GET /api/v1/sessions/{id}/stream` with an upgrade). Server → client: the session's
// client messages with their log position; client → server: prompt, cancel, approve, resume. Auth by the
// Authorization header or `?token=` (browsers cannot set headers on a WebSocket; the query is never logged).
// Scopes: the upgrade needs `read` (it subscribes to the session's log); each client message needs its operation's
// scope, and a refused message is answered with an error while the socket stays open.
import { z } from 'zod';
import type { TemplatedApp, WebSocket } from './uws.js';
import type { TokenAuthenticator } from './auth.js';
import { HttpError, errorBody } from './errors.js';
import { rejectionToHttp } from '../errors/rejection.js';
import type { GatewayServices } from './services.js';
import { renderWs } from '../streams/client-messages.js';
import type { StreamCursor } from '../streams/stream-cursor.js';
import type { ClosableSink } from '../streams/session-streams.js';
import { embeddedContextSchema, messagesSchema } from '../sessions/prompt-input.js';
import { approvalDecisionSchema } from '../sessions/approval-service.js';
import { zodIssueMessage } from './validation.js';
import { decodeComponent } from './uri.js';
import { nextRequestId } from './router.js';
import { clientRequestId as clientRequestIdOf } from './request-context.js';
import { guardCallback, guardUpgrade } from './uws-guard.js';
import { authenticateUpgrade } from './upgrade-auth.js';
import type { EventMeta } from '../store/types.js';
import { holdsScope, insufficientScopeMessage, scopeFor, type Operation, type Scope } from './scopes.js';

interface SocketData {
  sessionId: string;
  after: number | undefined;
  principal: string;
  scopes: readonly Scope[];
  client: string;
  requestId: string;
  clientRequestId: string | undefined;
  cursor?: StreamCursor;
  closed: boolean;
  resume?: () => void;
}

const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('prompt'), messages: messagesSchema, embedded_context: embeddedContextSchema.optional() }).strict(),
  z.object({ type: z.literal('cancel') }).strict(),
  approvalDecisionSchema.extend({ type: z.literal('approve'), approval_id: z.string().min(1) }).strict(),
  z.object({ type: z.literal('resume'), after: z.number().int().min(0) }).strict(),
]);

/** The operation of each client message (its scope is scopeFor(operation)). */
const MESSAGE_OPERATIONS: Record<z.infer<typeof clientMessageSchema>['type'], Operation> = {
  prompt: 'prompt',
  cancel: 'cancel_turn',
  approve: 'decide_approval',
  resume: 'read_events',
};

/** Close codes (4000-4999 are the application's). */
export const WS_CLOSE = { sessionNotFound: 4404, slowClient: 4008 } as const;

export function mountSessionSocket(app: TemplatedApp, gw: GatewayServices, auth: TokenAuthenticator): void {
  app.ws<SocketData>('/api/v1/sessions/:id/stream', {
    maxPayloadLength: gw.config.limits.max_body_bytes,
    // we stop writing to a backpressured socket ourselves and catch it up from the log; uWS must never drop
    maxBackpressure: 64 * 1024 * 1024,
    idleTimeout: 120,
    sendPingsAutomatically: true,
    upgrade: guardUpgrade(gw.logger, 'ws upgrade', (res, req, context) => {
      // Everything is copied now (uWS's request dies with this callback), but nothing the client wrote is parsed
      // until its token was checked: an anonymous client reaches no parser.
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const clientRequestId = clientRequestIdOf(req.getHeader('x-request-id') || undefined);
      const principal = authenticateUpgrade(res, req, { hostOrigin: gw.hostOrigin, auth }, scopeFor('read_events'), true);
      if (!principal) return;
      const afterRaw = req.getQuery('after') ?? '';
      const sessionId = decodeComponent(req.getParameter(0) ?? '');
      if (sessionId === undefined) {
        res.writeStatus('400 Bad Request').writeHeader('content-type', 'application/json').end(errorBody('invalid_request', 'session id: malformed percent-encoding'));
        return;
      }
      if (afterRaw !== '' && !/^\d{1,15}$/.test(afterRaw)) {
        res.writeStatus('400 Bad Request').writeHeader('content-type', 'application/json').end(errorBody('invalid_request', 'after: expected a log position'));
        return;
      }
      const client = Buffer.from(res.getRemoteAddressAsText()).toString();
      const data: SocketData = {
        sessionId,
        after: afterRaw === '' ? undefined : Number(afterRaw),
        principal: principal.name,
        scopes: principal.scopes,
        client,
        requestId: `ws-${nextRequestId()}`,
        clientRequestId,
        closed: false,
      };
      res.upgrade(data, key, protocol, extensions, context);
    }),
    open: guardCallback(gw.logger, 'ws open', undefined, (ws: WebSocket<SocketData>) => {
      const d = ws.getUserData();
      try {
        gw.sessions.actor(d.sessionId);
      } catch {
        ws.end(WS_CLOSE.sessionNotFound, 'session not found');
        return;
      }
      const after = d.after ?? gw.streams.lastPosition(d.sessionId);
      d.cursor = gw.streams.open(d.sessionId, after, socketSink(ws), { frame: renderWs });
    }),
    message: guardCallback(gw.logger, 'ws message', undefined, (ws: WebSocket<SocketData>, message: ArrayBuffer) => {
      const text = Buffer.from(message).toString('utf8'); // copied: uWS neuters the buffer after this callback
      handleMessage(ws, text, gw).catch((e: unknown) => gw.logger.error('websocket message failed', { error: e as Error }));
    }),
    drain: guardCallback(gw.logger, 'ws drain', undefined, (ws: WebSocket<SocketData>) => {
      const d = ws.getUserData();
      if (d.resume && ws.getBufferedAmount() === 0) {
        const resume = d.resume;
        d.resume = undefined;
        resume();
      }
    }),
    close: guardCallback(gw.logger, 'ws close', undefined, (ws: WebSocket<SocketData>) => {
      const d = ws.getUserData();
      d.closed = true;
      if (d.cursor) gw.streams.close(d.cursor);
    }),
  });
}

function socketSink(ws: WebSocket<SocketData>): ClosableSink {
  const d = ws.getUserData();
  return {
    write(frames) {
      if (d.closed) return true;
      ws.cork(() => {
        for (const f of frames) ws.send(f);
      });
      return ws.getBufferedAmount() === 0;
    },
    onWritable(resume) {
      d.resume = resume;
    },
    end() {
      /* a session socket follows the session until the client leaves */
    },
    close() {
      if (d.closed) return;
      d.closed = true;
      ws.end(WS_CLOSE.slowClient, `slow client; resume with after=${d.cursor?.lastDelivered ?? 0}`);
    },
  };
}

/** The owner's answer when another node runs `sessionId` (undefined: run it here). */
function relayed(gw: GatewayServices, d: SocketData, sessionId: string, path: string, body: unknown, prefer?: string): Promise<unknown> {
  if (gw.relay === undefined) return Promise.resolve(undefined);
  return gw.relay.relay(`session:${sessionId}`, { method: 'POST', path, body, principal: d.principal, ...(prefer ? { prefer } : {}) }).then((a) => a?.body);
}

async function handleMessage(ws: WebSocket<SocketData>, text: string, gw: GatewayServices): Promise<void> {
  const d = ws.getUserData();
  const meta: EventMeta = {
    principal: d.principal,
    scopes: d.scopes,
    request_id: d.requestId,
    ...(d.clientRequestId !== undefined ? { client_request_id: d.clientRequestId } : {}),
    client: d.client,
  };
  const reply = (type: string, data: unknown) => {
    if (!d.closed) ws.cork(() => ws.send(JSON.stringify({ type, data })));
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    reply('error', { code: 'invalid_json', message: 'message is not valid JSON' });
    return;
  }
  const r = clientMessageSchema.safeParse(parsed);
  if (!r.success) {
    reply('error', { code: 'invalid_request', message: zodIssueMessage(r.error) });
    return;
  }
  const m = r.data;
  const needed = scopeFor(MESSAGE_OPERATIONS[m.type]);
  if (!holdsScope(d.scopes, needed)) {
    reply('error', { code: 'insufficient_scope', message: insufficientScopeMessage(needed), scope: needed, for: m.type });
    return;
  }
  try {
    switch (m.type) {
      // a cluster node sends a command of a session another node runs to that node (gw.relay), as REST
      case 'prompt': {
        const body = { messages: m.messages, ...(m.embedded_context ? { embedded_context: m.embedded_context } : {}) };
        const submitted =
          ((await relayed(gw, d, d.sessionId, `/api/v1/sessions/${encodeURIComponent(d.sessionId)}/prompt`, body, 'respond-async')) as { turn: number; position: number } | undefined) ??
          (await gw.sessions.prompt(d.sessionId, m.messages, m.embedded_context, meta));
        reply('ack', { for: 'prompt', turn: submitted.turn, position: submitted.position });
        break;
      }
      case 'cancel': {
        const remote = await relayed(gw, d, d.sessionId, `/api/v1/sessions/${encodeURIComponent(d.sessionId)}/cancel`, {});
        reply('ack', { for: 'cancel', ...((remote as object | undefined) ?? (await gw.sessions.cancel(d.sessionId, meta))) });
        break;
      }
      case 'approve': {
        const input = { decision: m.decision, ...(m.reason !== undefined ? { reason: m.reason } : {}) };
        const session = gw.approvals.sessionOf(m.approval_id);
        const remote = session === undefined ? undefined : await relayed(gw, d, session, `/api/v1/approvals/${encodeURIComponent(m.approval_id)}`, input);
        reply('ack', { for: 'approve', ...((remote as object | undefined) ?? (await gw.approvals.decide(m.approval_id, input, meta))) });
        break;
      }
      case 'resume':
        d.cursor?.rewind(m.after);
        reply('ack', { for: 'resume', after: m.after });
        break;
    }
  } catch (thrown) {
    const e = rejectionToHttp(thrown);
    if (e instanceof HttpError) reply('error', { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) });
    else {
      gw.logger.error('websocket command failed', { session: d.sessionId, error: e as Error });
      reply('error', { code: 'internal', message: 'internal error' });
    }
  }
}
