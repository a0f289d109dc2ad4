// acp_prompt: one turn, as REST's blocking prompt runs it. The text content is the agent's text (the original's
// result), the structured content carries the real stop reason. While the turn streams, a caller that gave a progress
// token gets a progress notification per message chunk; cancelling the MCP request cancels the turn.
import { z } from 'zod';
import type { GatewayServices } from '../http/services.js';
import type { TurnResult } from '../sessions/turn-ledger.js';
import { defineTool, errorResult, failure, textResult, type McpTool } from './tool-kit.js';
import { followTurnProgress, type TurnProgress } from './turn-progress.js';
import { scopeFor } from '../http/scopes.js';
import { relayedCommand, relayedPrompt, sessionPath } from './relayed.js';

const turnOutput = z.object({
  session_id: z.string(),
  turn: z.number().int(),
  stop_reason: z.string().nullable(),
  outcome: z.string(),
  text: z.string(),
  usage: z.unknown(),
  position: z.number().int(),
});

export interface PromptToolHooks {
  /** end the transport's stream of a request whose caller cancelled it (no response will ever go out on it) */
  closeRequestStream?(requestId: string | number): void;
}

export function promptTool(gw: GatewayServices, hooks: PromptToolHooks = {}): McpTool {
  return defineTool({
    name: 'acp_prompt',
    description:
      "Send a message to a session and wait for the agent's answer (its text). The stop reason is in the structured " +
      'content. Give a progress token to receive the answer as it streams; cancel the request to cancel the turn.',
    scope: scopeFor('prompt'),
    input: z
      .object({
        session_id: z.string().min(1).max(256).describe('session id, as acp_create_session returned it'),
        message: z.string().min(1).describe('the prompt text'),
      })
      .strict(),
    output: turnOutput,
    run: async (args, call) => {
      const { extra, meta } = call;
      const id = args.session_id;
      let progress: TurnProgress | undefined;
      let onAbort: (() => void) | undefined;
      try {
        // cancelled before it started: no turn for a caller that is gone (it gets no answer either)
        if (extra.signal.aborted) return errorResult('Error: the request was cancelled');
        const submitted =
          (await relayedPrompt(gw, id, args.message, meta)) ?? (await gw.sessions.prompt(id, [{ type: 'text', text: args.message }], undefined, meta));
        const token = extra._meta?.progressToken;
        if (token !== undefined) progress = followTurnProgress(gw.store, id, submitted.turn, submitted.position, token, extra);
        onAbort = () => {
          const cancel = async () => (await relayedCommand(gw, id, meta, 'POST', sessionPath(id, '/cancel'), {})) ?? (await gw.sessions.cancel(id, meta, 'mcp'));
          cancel().catch((e: Error) => gw.logger.warn('cannot cancel the turn of a cancelled MCP request', { session: id, error: e.message }));
        };
        if (extra.signal.aborted) onAbort();
        else extra.signal.addEventListener('abort', onAbort, { once: true });
        const r = await submitted.result;
        await progress?.finish();
        progress = undefined;
        if (extra.signal.aborted) hooks.closeRequestStream?.(extra.requestId);
        return turnResult(id, r);
      } catch (e) {
        return failure(e);
      } finally {
        if (onAbort) extra.signal.removeEventListener('abort', onAbort);
        await progress?.finish();
      }
    },
  });
}

function turnResult(sessionId: string, r: TurnResult) {
  const structured = {
    session_id: sessionId,
    turn: r.turn,
    stop_reason: r.stop_reason,
    outcome: r.outcome,
    text: r.text,
    usage: r.usage ?? null,
    position: r.position,
  };
  // a turn the client cancelled is an answer (stop reason "cancelled"), like REST; any other failure is an error
  if (r.error && !(r.outcome === 'cancelled' && r.stop_reason === 'cancelled')) {
    return errorResult(`Error: ${r.error.message}`, { ...structured, error: r.error });
  }
  return textResult(r.text || r.stop_reason || r.outcome, structured);
}
