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
import type { ZodType } from 'zod';
import type { RouteDoc } from '../http/route-doc.js';
import { eventPageSchema, eventViewSchema } from '../http/schemas/events.js';
import { EVENTS_STREAM_DESCRIPTION } from '../http/schemas/streams.js';

/** What GET /openapi.json says of a kind's routes: its tag, its noun for operationIds, and its two views. */
export interface MultiAgentDoc {
  tag: string;
  /** `Orchestration`: listOrchestrations, getOrchestration, ... */
  noun: string;
  /** GET /<collection>/{id} (and the final answer of a run) */
  view: ZodType;
  /** one element of GET /<collection> */
  summary: ZodType;
  /** the SSE of a run (POST ... with Accept: text/event-stream, resume) */
  stream: string;
}

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

export function multiAgentRoutes(gw: GatewayServices, svc: MultiAgentService, scopes: { read: Scope; write: Scope }, doc?: MultiAgentDoc): Route[] {
  const base = `/api/v1/${svc.collection}`;
  const streamId = (id: string) => `${svc.streamType}:${id}`;
  const docs = doc ? kindDocs(doc) : undefined;
  return [
    { method: 'GET', path: base, scope: scopes.read, doc: docs?.list, handler: () => ({ status: 200, json: svc.list() }) },
    { method: 'GET', path: `${base}/:id`, scope: scopes.read, doc: docs?.get, handler: (ctx) => ({ status: 200, json: svc.get(ctx.params[0]!) }) },
    {
      method: 'GET',
      path: `${base}/:id/events`,
      scope: scopes.read,
      doc: docs?.events,
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
      doc: docs?.remove,
      handler: async (ctx) => {
        await svc.remove(ctx.params[0]!, commandMeta(ctx));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: `${base}/:id/resume`,
      scope: scopes.write,
      doc: docs?.resume,
      handler: async (ctx) => {
        const id = ctx.params[0]!;
        const run = await svc.resume(id, commandMeta(ctx));
        return answerRun(gw, ctx, streamId(id), run, svc.sse);
      },
    },
  ];
}

function kindDocs(d: MultiAgentDoc): Record<'list' | 'get' | 'events' | 'remove' | 'resume', RouteDoc> {
  const params = { id: `the ${d.noun.toLowerCase()} id` };
  const notFound = { 404: `${d.tag.replace(/s$/, '')}_not_found` };
  const lower = d.noun.toLowerCase();
  return {
    list: { operationId: `list${d.noun}s`, summary: `Every ${lower}`, tag: d.tag, responses: { 200: { description: `the ${lower}s`, json: z.array(d.summary) } } },
    get: { operationId: `get${d.noun}`, summary: `A ${lower} with its results`, tag: d.tag, params, responses: { 200: { description: `the ${lower}`, json: d.view } }, errors: notFound },
    events: {
      operationId: `${lower}Events`,
      summary: `The ${lower}'s log from a cursor: JSON pages, or SSE with Accept: text/event-stream`,
      tag: d.tag,
      params,
      query: eventsQuery,
      responses: { 200: { description: 'a page of events, or the SSE stream', json: eventPageSchema, media: { 'text/event-stream': { description: EVENTS_STREAM_DESCRIPTION, item: eventViewSchema } } } },
      errors: notFound,
    },
    remove: { operationId: `delete${d.noun}`, summary: `Cancel what runs and close its sessions`, tag: d.tag, params, responses: { 204: { description: 'deleted' } }, errors: notFound },
    resume: {
      operationId: `resume${d.noun}`,
      summary: 'Re-run what was interrupted; answered like the POST that started it',
      tag: d.tag,
      params,
      responses: { 200: { description: `the ${lower} once it ended, or its SSE stream`, json: d.view, media: { 'text/event-stream': { description: d.stream } } } },
      errors: { ...notFound, 409: 'nothing to resume (it is running, or it ended)' },
    },
  };
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
