// session/new, load, resume, fork, list, close and the model/mode/config switches. Which of them exist is
// decided by the options: an unregistered method is answered -32601 by the SDK, as for a real agent.
import { RequestError } from '@agentclientprotocol/sdk/unstable';
import { z } from 'zod';
import type { AgentApp, AgentContext, NewSessionResponse, SessionConfigOption } from '@agentclientprotocol/sdk/unstable';
import type { AgentState } from './agent-state.js';
import { configOptions, isKnownMode, isKnownModel, sessionStateFields } from './models.js';
import type { LiveSession } from './sessions.js';

export function requireAuthentication(state: AgentState): void {
  if (state.options.authRequired && !state.authenticated) throw RequestError.authRequired();
}

function stateFields(state: AgentState, session: LiveSession): ReturnType<typeof sessionStateFields> {
  return sessionStateFields(state.options, session.record);
}

/** session/load replays the conversation like claude-agent-acp: each prompt block as a user_message_chunk, then
 *  the recorded answer updates (text merged into one chunk per answer), all before the load response. */
async function replay(client: AgentContext, session: LiveSession): Promise<void> {
  let last: Promise<void> = Promise.resolve();
  for (const turn of session.record.turns) {
    for (const content of turn.prompt) {
      last = client.notify('session/update', { sessionId: session.id, update: { sessionUpdate: 'user_message_chunk', content } });
    }
    for (const update of turn.updates) {
      last = client.notify('session/update', { sessionId: session.id, update });
    }
  }
  await last;
}

/** session/set_model left the schema in June 2026, so the SDK has no parser for it (a ZodError becomes -32602). */
const SetModelParams = z.object({ sessionId: z.string(), modelId: z.string() });
type SetModelParams = z.infer<typeof SetModelParams>;

function switchModel(state: AgentState, session: LiveSession, modelId: string): void {
  if (!isKnownModel(modelId)) throw RequestError.invalidParams({ modelId }, `unknown model ${JSON.stringify(modelId)}`);
  session.record.modelId = modelId;
  state.sessions.save(session);
}

function switchMode(state: AgentState, session: LiveSession, modeId: string): void {
  if (!isKnownMode(modeId)) throw RequestError.invalidParams({ modeId }, `unknown mode ${JSON.stringify(modeId)}`);
  session.record.modeId = modeId;
  state.sessions.save(session);
}

export function registerSessionHandlers(app: AgentApp, state: AgentState): void {
  const { options, sessions } = state;

  app.onRequest('session/new', ({ params }) => {
    requireAuthentication(state);
    const session = sessions.create(params.cwd);
    const response: NewSessionResponse = { sessionId: session.id, ...stateFields(state, session) };
    return response;
  });

  if (options.mode !== 'none') {
    app.onRequest('session/load', async ({ params, client }) => {
      requireAuthentication(state);
      const session = sessions.revive(params.sessionId, params.cwd);
      sessions.save(session);
      await replay(client, session);
      return stateFields(state, session);
    });
  }

  if (options.mode === 'resume') {
    app.onRequest('session/resume', ({ params }) => {
      requireAuthentication(state);
      const session = sessions.revive(params.sessionId, params.cwd);
      sessions.save(session);
      return stateFields(state, session);
    });
  }

  if (options.fork) {
    app.onRequest('session/fork', ({ params }) => {
      requireAuthentication(state);
      const session = sessions.fork(params.sessionId, params.cwd);
      return { sessionId: session.id, ...stateFields(state, session) };
    });
  }

  if (options.list) {
    app.onRequest('session/list', ({ params }) => ({ sessions: sessions.list(params.cwd) }));
  }

  if (options.close) {
    app.onRequest('session/close', ({ params }) => {
      sessions.close(params.sessionId);
      return {};
    });
  }

  app.onRequest('session/set_mode', ({ params }) => {
    switchMode(state, sessions.requireLive(params.sessionId), params.modeId);
    return {};
  });

  if (options.configOptions) {
    app.onRequest('session/set_config_option', ({ params }) => {
      const session = sessions.requireLive(params.sessionId);
      if (!('value' in params) || typeof params.value !== 'string') {
        throw RequestError.invalidParams({ configId: params.configId }, 'only select options exist here');
      }
      if (params.configId === 'model') switchModel(state, session, params.value);
      else if (params.configId === 'mode') switchMode(state, session, params.value);
      else throw RequestError.invalidParams({ configId: params.configId }, `unknown config option ${JSON.stringify(params.configId)}`);
      const current: SessionConfigOption[] = configOptions(session.record.modelId, session.record.modeId);
      return { configOptions: current };
    });
  }

  if (options.setModel) {
    app.onRequest<SetModelParams, Record<string, never>>('session/set_model', SetModelParams, ({ params }) => {
      switchModel(state, sessions.requireLive(params.sessionId), params.modelId);
      return {};
    });
  }
}
