// SSE streams: a prompt on an existing session (`POST /sessions/{id}/stream`), create + prompt in one call
// (`POST /stream`), and the events log of a session (`GET /sessions/{id}/events`, JSON pages or SSE).
import { z } from 'zod';
import type { Route } from '../router.js';
import type { RequestContext } from '../request-context.js';
import { parseWith, queryObject } from '../validation.js';
import { HttpError } from '../errors.js';
import { SseResponse } from '../sse.js';
import type { GatewayServices } from '../services.js';
import { embeddedContextSchema, messagesSchema, promptText, toContentBlocks } from '../../sessions/prompt-input.js';
import { originFields } from './origin-fields.js';
import { eventsSseFormat, promptSseFormat } from '../../streams/session-streams.js';
import { eventView } from '../../streams/event-view.js';
import { commandMeta, readBody, submitPrompt } from './prompt-requests.js';
import { mcpServerSchema } from './mcp-server-schema.js';
import { scopeFor } from '../scopes.js';
import { eventPageSchema, eventViewSchema } from '../schemas/events.js';
import { EVENTS_STREAM_DESCRIPTION, PROMPT_STREAM_DESCRIPTION, promptFrameDataSchema } from '../schemas/streams.js';
import { promptBodySchema } from './prompt-requests.js';
import type { ResponseDoc } from '../route-doc.js';

const streamCreateSchema = z
  .object({
    agent: z.string().min(1).max(64).optional(),
    ...originFields,
    workspace_root: z.string().min(1).max(4096).optional(),
    model: z.string().min(1).max(256).optional(),
    mcp_servers: z.array(mcpServerSchema).max(32).optional(),
    messages: messagesSchema,
    embedded_context: embeddedContextSchema.optional(),
  })
  .strict()
  .meta({ id: 'StreamCreate' });

const cursor = z.coerce.number().int().min(0);
const eventsQuery = z
  .object({
    after: cursor.optional().describe('the cursor: events after this log position (default 0)'),
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('JSON pages: at most this many events'),
    type: z.string().min(1).max(64).optional().describe('only events of this type'),
    follow: z.enum(['true', 'false']).default('true').describe('SSE: false ends the stream at the head as of the request'),
  })
  .strict();

const promptStream: ResponseDoc = {
  description: "the turn's stream, ending with its turn_complete (or error) frame",
  media: { 'text/event-stream': { description: PROMPT_STREAM_DESCRIPTION, item: promptFrameDataSchema } },
};

export function streamRoutes(gw: GatewayServices): Route[] {
  const body = (ctx: RequestContext) => readBody(gw, ctx);

  /** Stream turn `turn` of session `id` to the client from `after`, ending with the turn. */
  const streamTurn = (ctx: RequestContext, id: string, turn: number, after: number) => {
    const sse = new SseResponse(ctx);
    const c = gw.streams.open(id, after, sse, promptSseFormat(turn));
    ctx.onAbort(() => gw.streams.close(c)); // the turn goes on; the client can follow it at /events
    return undefined;
  };

  return [
    {
      method: 'POST',
      path: '/api/v1/sessions/:id/stream',
      scope: scopeFor('prompt'),
      doc: {
        operationId: 'promptStream',
        summary: 'Prompt and stream the turn as SSE',
        tag: 'streams',
        params: { id: 'the session id' },
        body: promptBodySchema,
        responses: { 200: promptStream },
        errors: { 404: 'session_not_found', 409: 'session_busy / session_closed', 429: 'budget_exceeded / rate_limited' },
      },
      handler: async (ctx) => {
        const id = ctx.params[0]!;
        const submitted = await submitPrompt(gw, ctx, id);
        if (!ctx.open) return undefined;
        return streamTurn(ctx, id, submitted.turn, submitted.position);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/stream',
      // it creates a session too: create_session and prompt need the same scope
      scope: scopeFor('prompt'),
      doc: {
        operationId: 'createAndStream',
        summary: 'Create a session and stream its first turn as SSE (starting with session_created)',
        tag: 'streams',
        body: streamCreateSchema,
        responses: { 200: promptStream },
        errors: { 404: 'agent_not_found', 429: 'too_many_sessions / capacity_exceeded / rate_limited', 502: 'clone_failed', 504: 'clone_timeout' },
      },
      handler: async (ctx) => {
        const input = parseWith(streamCreateSchema, await body(ctx));
        const meta = commandMeta(ctx);
        const { messages, embedded_context, ...create } = input;
        // auto_route matches its keywords against the prompt's text
        const prompt = create.auto_route ? promptText(toContentBlocks(messages)) : undefined;
        const actor = await gw.sessions.create({ ...create, prompt, origin: 'stream' }, meta);
        const created = actor.snapshot().context.createdPosition!;
        const submitted = await gw.sessions.prompt(actor.id, messages, embedded_context, meta);
        if (!ctx.open) return undefined;
        // from just before SessionCreated: the first event the client reads is session_created
        return streamTurn(ctx, actor.id, submitted.turn, created - 1);
      },
    },
    {
      // the WebSocket route answers upgrades on this path; a plain GET gets a clear error
      method: 'GET',
      path: '/api/v1/sessions/:id/stream',
      scope: scopeFor('read_events'),
      doc: {
        operationId: 'sessionSocket',
        summary: 'WebSocket of a session (Upgrade: websocket): its live messages, prompts, cancel, approvals',
        tag: 'streams',
        params: { id: 'the session id' },
        responses: {},
        errors: { 426: 'upgrade_required: a plain GET; connect with Upgrade: websocket' },
      },
      handler: () => {
        throw new HttpError(426, 'upgrade_required', 'this is a WebSocket endpoint: connect with an Upgrade: websocket request', { upgrade: 'websocket' });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/sessions/:id/events',
      scope: scopeFor('read_events'),
      doc: {
        operationId: 'sessionEvents',
        summary: "A session's log from a cursor: JSON pages, or SSE with Accept: text/event-stream",
        tag: 'streams',
        params: { id: 'the session id' },
        query: eventsQuery,
        responses: {
          200: {
            description: 'a page of events (next_after is the cursor of the next page), or the SSE stream',
            json: eventPageSchema,
            media: { 'text/event-stream': { description: EVENTS_STREAM_DESCRIPTION, item: eventViewSchema } },
          },
        },
        errors: { 404: 'session_not_found' },
      },
      handler: (ctx) => {
        const id = ctx.params[0]!;
        gw.sessions.actor(id); // 404 for an unknown session
        const q = parseWith(eventsQuery, queryObject(ctx.query), 'query');
        if ((ctx.headers['accept'] ?? '').includes('text/event-stream')) {
          const lastEventId = ctx.headers['last-event-id'];
          const after = lastEventId !== undefined && lastEventId !== '' ? parseWith(cursor, lastEventId, 'Last-Event-ID') : (q.after ?? 0);
          const sse = new SseResponse(ctx);
          const until = q.follow === 'false' ? gw.store.headPosition() : Infinity;
          const c = gw.streams.open(id, after, sse, eventsSseFormat(q.type), until);
          ctx.onAbort(() => gw.streams.close(c));
          return undefined;
        }
        const events = [];
        for (const e of gw.store.iterate({ streamId: `session:${id}`, afterPosition: q.after ?? 0, ...(q.type ? { type: q.type } : {}) })) {
          events.push(eventView(e));
          if (events.length >= q.limit) break;
        }
        const next = events.length > 0 ? events[events.length - 1]!.position : (q.after ?? 0);
        return { status: 200, json: { events, next_after: next } };
      },
    },
  ];
}

