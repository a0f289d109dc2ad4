// session/prompt and session/cancel: one turn at a time per session, cancellable by session/cancel,
// session/close, a $/cancel_request for the prompt, or the connection closing.
import { RequestError } from '@agentclientprotocol/sdk/unstable';
import type { AgentApp } from '@agentclientprotocol/sdk/unstable';
import type { AgentState } from './agent-state.js';
import { runTurn } from './behaviours/commands.js';
import { parsePrompt } from './prompt.js';
import { requireAuthentication } from './session-handlers.js';
import { Turn } from './turn.js';

export function registerPromptHandlers(app: AgentApp, state: AgentState): void {
  const { sessions } = state;

  app.onRequest('session/prompt', async ({ params, client, signal }) => {
    requireAuthentication(state);
    const session = sessions.requireLive(params.sessionId);
    // A second concurrent prompt is a client bug; say so instead of interleaving two turns.
    if (session.turn) {
      throw RequestError.invalidRequest({ sessionId: session.id }, 'a prompt turn is already running in this session');
    }
    const prompt = parsePrompt(params.prompt);
    const { abort, record } = session.beginTurn(params.prompt, prompt.text);
    sessions.save(session);
    const cancelTurn = (): void => abort.abort();
    signal.addEventListener('abort', cancelTurn, { once: true });
    const { cwd, turns, modelId, modeId } = session.record;
    const turn = new Turn({
      sessionId: session.id,
      cwd,
      prompt,
      client,
      clientCapabilities: state.clientCapabilities,
      signal: abort.signal,
      channel: state.channel,
      record,
      history: turns,
      modelId,
      modeId,
      reportUsage: state.options.usage,
    });
    try {
      return await runTurn(turn);
    } finally {
      signal.removeEventListener('abort', cancelTurn);
      session.endTurn();
      sessions.save(session);
    }
  });

  app.onNotification('session/cancel', ({ params }) => {
    sessions.get(params.sessionId)?.cancelTurn();
  });
}
