// Builds the SDK agent app: initialize/authenticate here, sessions and prompts in their own files.
import { agent, PROTOCOL_VERSION, RequestError } from '@agentclientprotocol/sdk/unstable';
import type { AgentApp, AgentCapabilities, InitializeResponse, SessionCapabilities } from '@agentclientprotocol/sdk/unstable';
import { DEMO_AGENT_NAME, DEMO_AGENT_VERSION, DEMO_AUTH_METHOD } from './agent-state.js';
import type { AgentState } from './agent-state.js';
import type { DemoAgentOptions } from './options.js';
import { registerPromptHandlers } from './prompt-handler.js';
import { registerSessionHandlers } from './session-handlers.js';

export function agentCapabilities(options: DemoAgentOptions): AgentCapabilities {
  const sessionCapabilities: SessionCapabilities = {};
  if (options.mode === 'resume') sessionCapabilities.resume = {};
  if (options.fork) sessionCapabilities.fork = {};
  if (options.list) sessionCapabilities.list = {};
  if (options.close) sessionCapabilities.close = {};
  return {
    loadSession: options.mode !== 'none',
    promptCapabilities: { image: false, audio: false, embeddedContext: options.embeddedContext },
    mcpCapabilities: { http: true, sse: false },
    sessionCapabilities,
  };
}

export function buildAgentApp(state: AgentState): AgentApp {
  const app = agent({ name: DEMO_AGENT_NAME });

  app.onRequest('initialize', ({ params }) => {
    state.clientCapabilities = params.clientCapabilities ?? {};
    const response: InitializeResponse = {
      protocolVersion: PROTOCOL_VERSION,
      agentCapabilities: agentCapabilities(state.options),
      authMethods: state.options.authRequired ? [{ ...DEMO_AUTH_METHOD }] : [],
      agentInfo: { name: DEMO_AGENT_NAME, title: 'aintegrix demo agent', version: DEMO_AGENT_VERSION },
    };
    return response;
  });

  app.onRequest('authenticate', ({ params }) => {
    if (params.methodId !== DEMO_AUTH_METHOD.id) {
      throw RequestError.invalidParams({ methodId: params.methodId }, `unknown auth method ${JSON.stringify(params.methodId)}`);
    }
    state.authenticated = true;
    return {};
  });

  registerSessionHandlers(app, state);
  registerPromptHandlers(app, state);
  return app;
}
