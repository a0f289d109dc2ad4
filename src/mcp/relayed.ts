// MCP tools that act on a session: on a cluster node, a session another node runs gets the command at that node (as
// its REST equivalent, under the caller's token: src/cluster/command-relay.ts); the tool answers in its own shape.
// A prompt sent there is acknowledged once recorded, and its turn's end is read here from the shared log, as the
// progress notifications are.
import type { GatewayServices } from '../http/services.js';
import type { EventMeta } from '../store/types.js';
import { waitForTurnEnded, type TurnResult } from '../sessions/turn-ledger.js';

/** The owner's JSON answer to `path` when another node runs `sessionId`; undefined: run the command here. */
export async function relayedCommand(gw: GatewayServices, sessionId: string, meta: EventMeta, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  if (gw.relay === undefined) return undefined;
  const answer = await gw.relay.relay(`session:${sessionId}`, { method, path, body, principal: meta.principal });
  return answer === undefined ? undefined : (answer.body ?? {});
}

/** A text prompt recorded by the node that runs the session, and its turn's end read from the log here. */
export async function relayedPrompt(gw: GatewayServices, sessionId: string, text: string, meta: EventMeta): Promise<{ turn: number; position: number; result: Promise<TurnResult> } | undefined> {
  if (gw.relay === undefined) return undefined;
  const answer = await gw.relay.relay(`session:${sessionId}`, {
    method: 'POST',
    path: `/api/v1/sessions/${encodeURIComponent(sessionId)}/prompt`,
    body: { messages: [{ type: 'text', text }] },
    principal: meta.principal,
    prefer: 'respond-async',
  });
  if (answer === undefined) return undefined;
  const { turn, position } = answer.body as { turn: number; position: number };
  return { turn, position, result: waitForTurnEnded(gw.sessions.signals, sessionId, turn) };
}

export const sessionPath = (id: string, tail = ''): string => `/api/v1/sessions/${encodeURIComponent(id)}${tail}`;
