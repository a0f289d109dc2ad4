// The routes every multi-agent actor kind has (pipelines, orchestrations): list, read, its events (JSON pages and
// SSE with the same cursor rules as a session's events: `after`, `Last-Event-ID`, `type`, `follow`), delete (cancel
// what runs, close its sessions) and resume (re-run what was interrupted, answered like the POST that started it).
import { z } from 'zod';
import type { Route } from '../http/router.js';
import type { RequestContext } from '../http/request-context.js';
import type { GatewayServices } from '../http/services.js';
import type { EventMeta } from '../store/types.js';
import { parseWith, queryObject } from '../http/validation.js';
import { SseResponse } from '../http/sse.js';
import { StreamCursor } from '../streams/stream-cursor.js';
import { eventsSseFormat } from '../streams/session-streams.js';
import { eventView } from '../streams/event-view.js';
import { commandMeta } from '../http/routes/prompt-requests.js';
import type { Scope } from '../http/scopes.js';
import { answerRun, wantsEventStream, type ActorRun, type ActorSseFormat } from './actor-sse.js';

export interface MultiAgentService {
  /** the path segment: /api/v1/<collection> */
  readonly collection: string;
  /** streams are `<streamType>:<id>` */
  readonly streamType: string;
  /** list and read views */
  list(): unknown[];
  /** throws Rejected(<kind>_not_found) for an unknown id */
  get(id: string): unknown;
  /** cancel what runs, close its sessions (and whatever else the kind made) */
  remove(id: string, meta: EventMeta): Promise<void>;
  /** re-run what was interrupted */
  resume(id: string, meta: EventMeta): Promise<ActorRun>;
  readonly sse: ActorSseFormat;
}

const cursor = z.coerce.number().int().min(0);
const eventsQuery = z
  .object({
    after: cursor.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    type: z.string().min(1).max(64).optional(),
    follow: z.enum(['true', 'false']).default('true'),
  })
  .strict();

export function multiAgentRoutes(gw: GatewayServices, svc: MultiAgentService, scopes: { read: Scope; write: Scope }): Route[] {
  const base = `/api/v1/${svc.collection}`;
  const streamId = (id: string) => `${svc.streamType}:${id}`;
  return [
    { method: 'GET', path: base, scope: scopes.read, handler: () => ({ status: 200, json: svc.list() }) },
    { method: 'GET', path: `${base}/:id`, scope: scopes.read, handler: (ctx) => ({ status: 200, json: svc.get(ctx.params[0]!) }) },
    {
      method: 'GET',
      path: `${base}/:id/events`,
      scope: scopes.read,
      handler: (ctx) => {
        const id = ctx.params[0]!;
        svc.get(id); // 404 for an unknown id
        return actorEvents(gw, ctx, streamId(id));
      },
    },
    {
      method: 'DELETE',
      path: `${base}/:id`,
      scope: scopes.write,
      handler: async (ctx) => {
        await svc.remove(ctx.params[0]!, commandMeta(ctx));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: `${base}/:id/resume`,
      scope: scopes.write,
      handler: async (ctx) => {
        const id = ctx.params[0]!;
        const run = await svc.resume(id, commandMeta(ctx));
        return answerRun(gw, ctx, streamId(id), run, svc.sse);
      },
    },
  ];
}

/** One actor stream's events: JSON pages `{events, next_after}` or SSE, as GET /sessions/{id}/events. */
export function actorEvents(gw: GatewayServices, ctx: RequestContext, streamId: string) {
  const q = parseWith(eventsQuery, queryObject(ctx.query), 'query');
  if (wantsEventStream(ctx)) {
    const lastEventId = ctx.headers['last-event-id'];
    const after = lastEventId !== undefined && lastEventId !== '' ? parseWith(cursor, lastEventId, 'Last-Event-ID') : (q.after ?? 0);
    const sse = new SseResponse(ctx);
    const until = q.follow === 'false' ? gw.store.headPosition() : Infinity;
    const c = new StreamCursor(gw.store, streamId, after, sse, eventsSseFormat(q.type), until);
    gw.streams.feed.open(c, () => sse.close());
    ctx.onAbort(() => gw.streams.feed.close(c));
    return undefined;
  }
  const events = [];
  for (const e of gw.store.iterate({ streamId, afterPosition: q.after ?? 0, ...(q.type ? { type: q.type } : {}) })) {
    events.push(eventView(e));
    if (events.length >= q.limit) break;
  }
  const next = events.length > 0 ? events[events.length - 1]!.position : (q.after ?? 0);
  return { status: 200, json: { events, next_after: next } };
}
