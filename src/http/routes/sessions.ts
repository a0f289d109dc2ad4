// Sessions: create, list, read, close, cancel, prompt (blocking), change model, fork.
import { z } from 'zod';
import type { Reply, Route } from '../router.js';
import type { RequestContext } from '../request-context.js';
import { parseWith } from '../validation.js';
import type { GatewayServices } from '../services.js';
import { sessionDetail, sessionSummary } from '../../sessions/session-view.js';
import { sessionUsage } from '../../usage/index.js';
import { commandMeta, readBody, submitPrompt, turnReply, TURN_ERRORS } from './prompt-requests.js';
import { scopeFor } from '../scopes.js';
import { originView } from '../../sessions/session-origin-view.js';
import { cancelResultSchema, forkResultSchema, modelChangedSchema, promptAcceptedSchema, sessionCreatedSchema, sessionDetailSchema, sessionSummarySchema, turnResultSchema } from '../schemas/sessions.js';
import { createSessionSchema, forkSchema, promptBodySchema } from '../schemas/requests.js';

const modelSchema = z.object({ model: z.string().min(1).max(256) }).strict();

const ID = { id: 'the session id' };

export function sessionRoutes(gw: GatewayServices): Route[] {
  const body = (ctx: RequestContext) => readBody(gw, ctx);
  return [
    {
      method: 'POST',
      path: '/api/v1/sessions',
      scope: scopeFor('create_session'),
      doc: {
        operationId: 'createSession',
        summary: 'Create a session: an agent (or auto_route), a workspace (workspace_root, or a fresh clone of repo)',
        tag: 'sessions',
        body: createSessionSchema,
        bodyOptional: true,
        responses: { 201: { description: 'the session, started', json: sessionCreatedSchema } },
        errors: {
          404: 'agent_not_found',
          413: 'repo_too_large: the clone went over git.max_clone_bytes',
          429: 'too_many_sessions / capacity_exceeded / rate_limited',
          502: 'clone_failed',
          503: 'agent_failed: the agent process could not start',
          504: 'clone_timeout / initialize_timeout / session_timeout',
        },
      },
      handler: async (ctx) => {
        const input = parseWith(createSessionSchema, (await body(ctx)) ?? {});
        const actor = await gw.sessions.create({ ...input, origin: 'rest' }, commandMeta(ctx));
        const s = sessionSummary(actor);
        // model_applied: false = a configured model accepted for an agent that offers no model selection (echoed, as
        // the original did); the reason is in the session's AgentAttached event (model_note)
        const applied = input.model === undefined ? {} : { model_applied: actor.snapshot().context.modelApplied !== false };
        return { status: 201, json: { id: s.id, agent: s.agent, model: s.model, status: s.status, ...applied, ...originView(gw.store, actor.streamId) } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/sessions',
      scope: scopeFor('list_sessions'),
      doc: { operationId: 'listSessions', summary: 'Every session, open and closed', tag: 'sessions', responses: { 200: { description: 'the sessions', json: z.array(sessionSummarySchema) } } },
      handler: () => ({ status: 200, json: gw.sessions.actors().map(sessionSummary) }),
    },
    {
      method: 'GET',
      path: '/api/v1/sessions/:id',
      scope: scopeFor('read_session'),
      doc: {
        operationId: 'getSession',
        summary: 'A session: status, turns, pending approvals, usage',
        tag: 'sessions',
        params: ID,
        responses: { 200: { description: 'the session', json: sessionDetailSchema } },
        errors: { 404: 'session_not_found' },
      },
      handler: (ctx) => ({ status: 200, json: sessionDetailWithUsage(gw, ctx.params[0]!) }),
    },
    {
      method: 'DELETE',
      path: '/api/v1/sessions/:id',
      scope: scopeFor('close_session'),
      doc: {
        operationId: 'closeSession',
        summary: 'Close a session (a running turn is cancelled; its agent session ends)',
        tag: 'sessions',
        params: ID,
        responses: { 204: { description: 'closed' } },
        errors: { 404: 'session_not_found' },
      },
      handler: async (ctx) => {
        await gw.sessions.close(ctx.params[0]!, commandMeta(ctx));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/sessions/:id/cancel',
      scope: scopeFor('cancel_turn'),
      doc: {
        operationId: 'cancelTurn',
        summary: 'Cancel the running turn (no turn: cancelled false)',
        tag: 'sessions',
        params: ID,
        responses: { 200: { description: 'whether a cancel was asked, and of which turn', json: cancelResultSchema } },
        errors: { 404: 'session_not_found', 409: 'session_closed' },
      },
      handler: async (ctx) => ({ status: 200, json: await gw.sessions.cancel(ctx.params[0]!, commandMeta(ctx)) }),
    },
    {
      method: 'POST',
      path: '/api/v1/sessions/:id/prompt',
      scope: scopeFor('prompt'),
      doc: {
        operationId: 'prompt',
        summary: 'Prompt and wait for the turn to end (blocking); the turn also streams on /events',
        tag: 'sessions',
        params: ID,
        body: promptBodySchema,
        responses: {
          200: { description: 'the turn ended (end_turn, cancelled, ...): stop reason, text, usage', json: turnResultSchema },
          202: { description: 'with `Prefer: respond-async`: the prompt is recorded and its turn runs; it streams on /events', json: promptAcceptedSchema },
        },
        errors: { ...TURN_ERRORS, 404: 'session_not_found', 409: 'session_busy / session_closed' },
      },
      // answered from the commit's announcement (SubmittedTurn.whenEnded): the reply does not wait behind the
      // promise jobs of that commit (the TurnEnded's fold into the session machine)
      handler: (ctx) =>
        new Promise<Reply>((resolve, reject) => {
          submitPrompt(gw, ctx, ctx.params[0]!).then((submitted) => {
            // RFC 7240: answered once recorded (a cluster node relays a WebSocket prompt to the session's owner so)
            if (/\brespond-async\b/.test(ctx.headers['prefer'] ?? '')) {
              resolve({ status: 202, json: { turn: submitted.turn, position: submitted.position } });
              return;
            }
            submitted.whenEnded((r) => {
              if (r instanceof Error) reject(r);
              else resolve(turnReply(r));
            });
          }, reject);
        }),
    },
    {
      method: 'POST',
      path: '/api/v1/sessions/:id/fork',
      scope: scopeFor('fork_session'),
      doc: {
        operationId: 'forkSession',
        summary: 'Fork a session: the same agent natively when it can, else a new session primed with the transcript',
        tag: 'sessions',
        params: ID,
        body: forkSchema,
        bodyOptional: true,
        responses: { 201: { description: 'the fork', json: forkResultSchema } },
        errors: { 404: 'session_not_found / agent_not_found', 409: 'session_busy', 429: 'too_many_sessions / capacity_exceeded / rate_limited' },
      },
      handler: async (ctx) => {
        const input = parseWith(forkSchema, (await body(ctx)) ?? {});
        return { status: 201, json: await gw.sessions.fork(ctx.params[0]!, input, commandMeta(ctx)) };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/sessions/:id/model',
      scope: scopeFor('set_model'),
      doc: {
        operationId: 'setModel',
        summary: "Change the session's model (session/set_model or the model config option)",
        tag: 'sessions',
        params: ID,
        body: modelSchema,
        responses: { 200: { description: 'the model now in use', json: modelChangedSchema } },
        errors: { 404: 'session_not_found', 409: 'session_busy / session_closed' },
      },
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
