// What the handlers of one agent process share: its options, its sessions, the stdout channel, and what the
// client told us in `initialize` (fs/terminal commands check those capabilities before calling the client).
import type { ClientCapabilities } from '@agentclientprotocol/sdk/unstable';
import type { DemoAgentOptions } from './options.js';
import type { SessionRegistry } from './sessions.js';
import type { StdoutChannel } from './stdout-channel.js';

export const DEMO_AGENT_NAME = 'aintegrix-demo-agent';
export const DEMO_AGENT_VERSION = '0.1.0';
export const DEMO_AUTH_METHOD = { id: 'demo-login', name: 'Demo login' } as const;

export interface AgentState {
  readonly options: DemoAgentOptions;
  readonly sessions: SessionRegistry;
  readonly channel: StdoutChannel;
  clientCapabilities: ClientCapabilities;
  authenticated: boolean;
}
