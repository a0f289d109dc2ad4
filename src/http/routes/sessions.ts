// Sessions: create, list, read, close, cancel, prompt (blocking), change model, fork.
import { z } from 'zod';
import type { Route } from '../router.js';
import type { RequestContext } from '../request-context.js';
import { parseWith } from '../validation.js';
import type { GatewayServices } from '../services.js';
import { sessionDetail, sessionSummary } from '../../sessions/session-view.js';
import { sessionUsage } from '../../usage/index.js';
import { commandMeta, readBody, submitPrompt, turnReply } from './prompt-requests.js';
import { mcpServerSchema } from './mcp-server-schema.js';
import { scopeFor } from '../scopes.js';
import { originFields } from './origin-fields.js';
import { originView } from '../../sessions/session-origin-view.js';

const createSchema = z
  .object({
    agent: z.string().min(1).max(64).optional(),
    workspace_root: z.string().min(1).max(4096).optional(),
    model: z.string().min(1).max(256).optional(),
    mcp_servers: z.array(mcpServerSchema).max(32).optional(),
    ...originFields,
    /** auto_route: the text routing matches keywords against */
    prompt: z.string().min(1).max(65536).optional(),
  })
  .strict();

const modelSchema = z.object({ model: z.string().min(1).max(256) }).strict();

const forkSchema = z
  .object({
    target_agent: z.string().min(1).max(64).optional(),
    /** a log position of the source session: the fork's conversation goes up to it (inclusive) */
    at: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

export function sessionRoutes(gw: GatewayServices): Route[] {
  const body = (ctx: RequestContext) => readBody(gw, ctx);
  return [
    {
      method: 'POST',
      path: '/api/v1/sessions',
      scope: scopeFor('create_session'),
      handler: async (ctx) => {
        const input = parseWith(createSchema, (await body(ctx)) ?? {});
        const actor = await gw.sessions.create({ ...input, origin: 'rest' }, commandMeta(ctx));
        const s = sessionSummary(actor);
        // model_applied: false = a configured model accepted for an agent that offers no model selection (echoed, as
        // the original did); the reason is in the session's AgentAttached event (model_note)
        const applied = input.model === undefined ? {} : { model_applied: actor.snapshot().context.modelApplied !== false };
        return { status: 201, json: { id: s.id, agent: s.agent, model: s.model, status: s.status, ...applied, ...originView(gw.store, actor.streamId) } };
      },
    },
    { method: 'GET', path: '/api/v1/sessions', scope: scopeFor('list_sessions'), handler: () => ({ status: 200, json: gw.sessions.actors().map(sessionSummary) }) },
    { method: 'GET', path: '/api/v1/sessions/:id', scope: scopeFor('read_session'), handler: (ctx) => ({ status: 200, json: sessionDetailWithUsage(gw, ctx.params[0]!) }) },
    {
      method: 'DELETE',
      path: '/api/v1/sessions/:id',
      scope: scopeFor('close_session'),
      handler: async (ctx) => {
        await gw.sessions.close(ctx.params[0]!, commandMeta(ctx));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/sessions/:id/cancel',
      scope: scopeFor('cancel_turn'),
      handler: async (ctx) => ({ status: 200, json: await gw.sessions.cancel(ctx.params[0]!, commandMeta(ctx)) }),
    },
    {
      method: 'POST',
      path: '/api/v1/sessions/:id/prompt',
      scope: scopeFor('prompt'),
      handler: async (ctx) => {
        const submitted = await submitPrompt(gw, ctx, ctx.params[0]!);
        return turnReply(await submitted.result);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/sessions/:id/fork',
      scope: scopeFor('fork_session'),
      handler: async (ctx) => {
        const input = parseWith(forkSchema, (await body(ctx)) ?? {});
        return { status: 201, json: await gw.sessions.fork(ctx.params[0]!, input, commandMeta(ctx)) };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/sessions/:id/model',
      scope: scopeFor('set_model'),
      handler: async (ctx) => {
        const input = parseWith(modelSchema, await body(ctx));
        const r = await gw.sessions.setModel(ctx.params[0]!, input.model, commandMeta(ctx));
        return { status: 200, json: { status: 'ok', model: r.model, via: r.via } };
      },
    },
  ];
}

/** The session as GET /sessions/{id} shows it, with its usage (the figures of its turns so far). */
function sessionDetailWithUsage(gw: GatewayServices, id: string) {
  const detail = sessionDetail(gw.sessions.actor(id));
  return { ...detail, usage: sessionUsage(gw.usage.session(id)?.turns.values() ?? []) };
}
