// A client's messages (+ embedded files) → the ACP prompt of one session: the agent's prefix and suffix, what its
// prompt capabilities accept, the size cap, and before the first prompt the context prepared at creation. Shared by
// every surface (REST, SSE, POST /stream, WebSocket, MCP) through SessionService.prompt.
import type { z } from 'zod';
import type { AintegrixConfig } from '../config/index.js';
import type { EventStore } from '../store/types.js';
import { findAgent } from '../config/agent-lookup.js';
import { firstPromptLead } from './first-context.js';
import { shapePrompt, toContentBlocks, type ContentBlock, type embeddedContextSchema, type messagesSchema, type PromptCapabilities } from './prompt-input.js';
import type { SessionContext } from './session-context.js';

export type PromptMessages = z.infer<typeof messagesSchema>;
export type EmbeddedContext = z.infer<typeof embeddedContextSchema>;

export function shapeSessionPrompt(
  config: AintegrixConfig,
  store: EventStore,
  c: SessionContext,
  messages: PromptMessages,
  embedded: EmbeddedContext | undefined,
): ContentBlock[] {
  const agentCfg = findAgent(config, c.agent);
  const caps = ((c.capabilities as { promptCapabilities?: PromptCapabilities } | null)?.promptCapabilities ?? {}) as PromptCapabilities;
  return shapePrompt(toContentBlocks(messages), embedded, {
    prefix: agentCfg?.prompt_prefix,
    suffix: agentCfg?.prompt_suffix,
    workspace: c.workspace,
    capabilities: caps,
    maxPromptBytes: config.limits.max_prompt_bytes,
    lead: c.turns === 0 ? firstPromptLead(store, c.id, c.workspace, caps.embeddedContext === true) : undefined,
  });
}
