// The gateway as an ACP agent to one remote client connection (`/acp`): each remote session IS a gateway session
// (same actor, same log, in GET /sessions with origin `acp`, streamable over SSE/WS at the same time). The client's
// token is the connection's for its whole life: its scopes gate each method, and it sees only the sessions it
// created (an admin token sees every session).
import { agent as agentApp, PROTOCOL_VERSION, RequestError } from '@agentclientprotocol/sdk/unstable';
import type { AgentApp, AgentContext, ContentBlock } from '@agentclientprotocol/sdk/unstable';
import { z } from 'zod';
import type { GatewayServices } from '../http/services.js';
import type { EventMeta } from '../store/types.js';
import { holdsScope, insufficientScopeMessage, scopeFor, type Operation, type Scope } from '../http/scopes.js';
import { SessionLink } from './session-link.js';
import { visibleTo } from './visibility.js';
import { CURSOR_META } from './log-updates.js';
import { rpcErrorOf, toStopReason } from './rpc-errors.js';
import { CLIENT_INFO } from '../sessions/agent-attach.js';

export interface RemoteClient {
  /** token name */
  principal: string;
  scopes: readonly Scope[];
  /** the agent of the endpoint (`/acp/{agent}`) */
  agent: string;
  /** the request that opened the connection (recorded with what the connection does) */
  meta: EventMeta;
}

const SetModelParams = z.object({ sessionId: z.string(), modelId: z.string().min(1) }).loose();
const SetConfigParams = z.object({ sessionId: z.string(), configId: z.string(), value: z.unknown() }).loose();

/** A session id the client may use (visibility.ts). */
function visible(gw: GatewayServices, client: RemoteClient, sessionId: string): boolean {
  return visibleTo(gw, client.principal, client.scopes, sessionId);
}

export function buildGatewayAgent(gw: GatewayServices, client: RemoteClient): AgentApp {
  const app = agentApp({ name: 'aintegrix' });
  const links = new Map<string, SessionLink>();
  const meta = client.meta;

  const need = (operation: Operation) => {
    const scope = scopeFor(operation);
    if (!holdsScope(client.scopes, scope)) throw new RequestError(-32003, insufficientScopeMessage(scope), { scope });
  };
  const session = (sessionId: string) => {
    if (!visible(gw, client, sessionId)) throw RequestError.resourceNotFound(sessionId);
    return gw.sessions.actor(sessionId).snapshot().context;
  };
  const linkFor = (sessionId: string, acp: AgentContext): SessionLink => {
    let link = links.get(sessionId);
    if (!link) links.set(sessionId, (link = new SessionLink(gw, sessionId, acp, meta)));
    return link;
  };
  const stateFields = (sessionId: string) => {
    const c = gw.sessions.actor(sessionId).snapshot().context;
    return { ...(c.models ? { models: c.models } : {}), ...(c.configOptions ? { configOptions: c.configOptions } : {}) } as Record<string, unknown>;
  };
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      throw rpcErrorOf(e);
    }
  };

  app.onConnect((connection) => {
    void connection.closed.then(() => {
      for (const l of links.values()) l.stop();
      links.clear();
    });
  });

  app.onRequest('initialize', ({ params }) => ({
    protocolVersion: Math.min(PROTOCOL_VERSION, params.protocolVersion ?? PROTOCOL_VERSION),
    agentCapabilities: {
      // the gateway replays its own log, whatever the agent behind can do
      loadSession: true,
      promptCapabilities: promptCapabilitiesOf(gw, client.agent),
      mcpCapabilities: { http: true, sse: false },
      sessionCapabilities: { resume: {}, list: {}, close: {}, fork: {} },
    },
    agentInfo: { name: 'aintegrix', title: `aintegrix → ${client.agent}`, version: CLIENT_INFO.version },
    authMethods: [],
  }));

  app.onRequest('session/new', ({ params, client: acp }) =>
    guarded(async () => {
      need('create_session');
      const base = { agent: client.agent, origin: 'acp' as const, mcp_servers: params.mcpServers ?? [] };
      // the cwd names a path on the client's machine: used when it is an allowed workspace here, else a fresh one
      const actor = await gw.sessions
        .create({ ...base, workspace_root: params.cwd }, meta)
        .catch((e: { code?: unknown }) => {
          if (typeof e.code === 'string' && e.code.startsWith('workspace_')) return gw.sessions.create(base, meta);
          throw e;
        });
      await actor.record([{ type: 'RemoteClientCwd', data: { cwd: params.cwd, used: actor.snapshot().context.workspace === params.cwd } }], meta);
      linkFor(actor.id, acp).follow(gw.streams.lastPosition(actor.id));
      return { sessionId: actor.id, ...stateFields(actor.id) } as never;
    }),
  );

  app.onRequest('session/load', ({ params, client: acp }) =>
    guarded(async () => {
      need('read_events');
      session(params.sessionId);
      const head = gw.streams.lastPosition(params.sessionId);
      const link = linkFor(params.sessionId, acp);
      link.follow(0, head); // the whole conversation, prompts included, then live
      await link.past(head);
      return stateFields(params.sessionId) as never;
    }),
  );

  app.onRequest('session/resume', ({ params, client: acp }) =>
    guarded(async () => {
      need('read_events');
      session(params.sessionId);
      // a client that kept the cursor of the last update it saw gets what it missed (durable delivery over WebSocket)
      const after = cursorParam(params._meta) ?? gw.streams.lastPosition(params.sessionId);
      const link = linkFor(params.sessionId, acp);
      link.follow(after);
      await link.past(gw.streams.lastPosition(params.sessionId));
      return stateFields(params.sessionId) as never;
    }),
  );

  app.onRequest('session/list', ({ params }) =>
    guarded(async () => {
      need('list_sessions');
      const sessions = gw.sessions
        .actors()
        .map((a) => a.snapshot().context)
        .filter((c) => c.id !== '' && visible(gw, client, c.id) && (!params.cwd || c.workspace === params.cwd))
        .map((c) => ({ sessionId: c.id, cwd: c.workspace, ...(c.createdAt ? { updatedAt: new Date(c.createdAt).toISOString() } : {}), _meta: { agent: c.agent } }));
      return { sessions } as never;
    }),
  );

  app.onRequest('session/prompt', ({ params, client: acp, signal }) =>
    guarded(async () => {
      need('prompt');
      session(params.sessionId);
      // a session this connection did not open, load or resume: follow it from now on
      const following = links.has(params.sessionId);
      const link = linkFor(params.sessionId, acp);
      if (!following) link.follow(gw.streams.lastPosition(params.sessionId));
      const turn = await gw.sessions.submit(params.sessionId, params.prompt as ContentBlock[] as never, meta);
      const cancel = () => void gw.sessions.cancel(params.sessionId, meta).catch(() => undefined);
      signal.addEventListener('abort', cancel, { once: true });
      try {
        const result = await turn.result;
        await link.past(result.position); // every update of the turn reaches the client before its answer
        return toStopReason(result) as never;
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    }),
  );

  app.onNotification('session/cancel', async ({ params }) => {
    if (!holdsScope(client.scopes, scopeFor('cancel_turn')) || !visible(gw, client, params.sessionId)) return;
    await gw.sessions.cancel(params.sessionId, meta).catch(() => undefined);
  });

  app.onRequest('session/set_model', SetModelParams, ({ params }) =>
    guarded(async () => {
      need('set_model');
      session(params.sessionId);
      await gw.sessions.setModel(params.sessionId, params.modelId, meta);
      return {};
    }),
  );

  app.onRequest('session/set_config_option', SetConfigParams, ({ params }) =>
    guarded(async () => {
      need('set_model');
      const c = session(params.sessionId);
      const options = Array.isArray(c.configOptions) ? (c.configOptions as { id?: string; category?: string }[]) : [];
      const option = options.find((o) => o.id === params.configId);
      // the model is the one option the gateway records and re-applies; the others belong to the agent's own UI
      if (option?.category !== 'model' || typeof params.value !== 'string') {
        throw RequestError.invalidParams({ configId: params.configId }, 'only the model config option can be set through the gateway');
      }
      await gw.sessions.setModel(params.sessionId, params.value, meta);
      return { configOptions: gw.sessions.actor(params.sessionId).snapshot().context.configOptions ?? [] };
    }),
  );

  app.onRequest('session/close', ({ params }) =>
    guarded(async () => {
      need('close_session');
      session(params.sessionId);
      await gw.sessions.close(params.sessionId, meta);
      links.get(params.sessionId)?.stop();
      links.delete(params.sessionId);
      return {};
    }),
  );

  app.onRequest('session/fork', ({ params, client: acp }) =>
    guarded(async () => {
      need('fork_session');
      session(params.sessionId);
      const forked = await gw.sessions.fork(params.sessionId, {}, meta);
      linkFor(forked.id, acp).follow(gw.streams.lastPosition(forked.id));
      return { sessionId: forked.id, ...stateFields(forked.id) } as never;
    }),
  );

  return app;
}

function cursorParam(meta: unknown): number | undefined {
  const c = meta && typeof meta === 'object' ? (meta as Record<string, unknown>)[CURSOR_META] : undefined;
  return typeof c === 'number' && Number.isSafeInteger(c) && c >= 0 ? c : undefined;
}

/** What the agent behind reported (its latest attached session), else nothing beyond text. */
function promptCapabilitiesOf(gw: GatewayServices, agent: string): Record<string, boolean> {
  let caps: unknown;
  for (const a of gw.sessions.actors()) {
    const c = a.snapshot().context;
    if (c.agent === agent && c.capabilities) caps = c.capabilities;
  }
  const p = (caps as { promptCapabilities?: Record<string, unknown> } | undefined)?.promptCapabilities ?? {};
  return { image: p.image === true, audio: p.audio === true, embeddedContext: p.embeddedContext === true };
}
