// Commands that do not arrive as a REST request of the actor (a message on a session's WebSocket, an MCP tool call)
// reach the owner the same way a forwarded REST command does: as the equivalent REST request, sent by this node to
// the owner's advertised URL under the caller's own token (every node has the same auth.tokens: the one named by the
// caller's principal; the surfaces never see a token), so the owner authenticates and authorises the caller itself;
// its JSON answer is handed back to the surface, which answers in its own shape. When this node runs the actor (or
// adopts it because its owner is gone), the surface runs the command here as on a single node.
import { HttpError } from '../http/errors.js';
import { FORWARDED_HEADER } from './forward.js';
import type { LeaseOwner } from './lease-manager.js';

export interface RelayRequest {
  method: 'POST' | 'DELETE';
  /** the REST path of the equivalent command (ids percent-encoded) */
  path: string;
  body?: unknown;
  /** the caller (its token name): the request carries that token */
  principal: string | undefined;
  /** e.g. `respond-async`: the prompt is acknowledged once recorded, not when its turn ends */
  prefer?: string;
}

/** The owner's answer: its status and JSON body (a 2xx only; an error is thrown as the owner's HttpError). */
export interface RelayAnswer {
  status: number;
  body: unknown;
}

export interface CommandRelay {
  /** undefined: run the command here; otherwise the owner's answer to the equivalent REST request */
  relay(key: string, request: RelayRequest): Promise<RelayAnswer | undefined>;
}

export interface RelayOwnership {
  readonly nodeId: string;
  holds(key: string): boolean;
  ownerOf(key: string): Promise<LeaseOwner | undefined>;
  adopt(key: string): Promise<boolean>;
}

export function commandRelay(ownership: RelayOwnership, tokenOf: (principal: string) => string | undefined): CommandRelay {
  return {
    async relay(key, request) {
      if (ownership.holds(key)) return undefined;
      const owner = await ownership.ownerOf(key);
      if (owner === undefined) return undefined; // no such actor anywhere (or finished): the surface answers as usual
      if (owner.nodeId !== ownership.nodeId && !owner.expired) {
        if (owner.url === undefined) throw new HttpError(503, 'owner_unreachable', `the node that runs ${key} has no address yet: retry shortly`);
        const token = request.principal === undefined ? undefined : tokenOf(request.principal);
        if (token === undefined) throw new HttpError(403, 'forbidden', `${key} runs on another node and this caller has no token to reach it with`);
        return send(owner.url, ownership.nodeId, request, `Bearer ${token}`);
      }
      if (await ownership.adopt(key)) return undefined;
      throw new HttpError(503, 'owner_moved', `${key} is moving to another node: retry shortly`, { 'retry-after': '1' });
    },
  };
}

async function send(ownerUrl: string, fromNode: string, r: RelayRequest, authorization: string): Promise<RelayAnswer> {
  const headers: Record<string, string> = { [FORWARDED_HEADER]: fromNode, accept: 'application/json', authorization };
  if (r.prefer !== undefined) headers.prefer = r.prefer;
  if (r.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${ownerUrl}${r.path}`, { method: r.method, headers, body: r.body === undefined ? undefined : JSON.stringify(r.body), redirect: 'manual' });
  } catch (error) {
    throw new HttpError(503, 'owner_unreachable', `the node that runs this session (${ownerUrl}) cannot be reached: retry shortly (its lease moves to another node when it is down): ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  if (response.status >= 400) {
    const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    throw new HttpError(
      response.status,
      typeof e?.code === 'string' ? e.code : 'owner_failed',
      typeof e?.message === 'string' ? e.message : `the owner answered ${response.status}`,
      undefined,
      e?.details !== undefined && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : undefined,
    );
  }
  return { status: response.status, body };
}
