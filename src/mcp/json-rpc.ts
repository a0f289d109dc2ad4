// The JSON-RPC side of the endpoint that runs before a transport sees a message: parse the body once, refuse what
// no transport should get (invalid JSON, batches), and answer such requests in JSON-RPC's error shape.
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { RequestContext } from '../http/request-context.js';

export type ParsedBody =
  | { ok: true; value: unknown; method: string | undefined }
  | { ok: false; status: number; code: number; message: string };

export function parseBody(body: Buffer): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, status: 400, code: -32700, message: 'Parse error: Invalid JSON' };
  }
  // batches left JSON-RPC-over-MCP in protocol 2025-06-18; the original never took them either
  if (Array.isArray(value)) return { ok: false, status: 400, code: -32600, message: 'Invalid Request: batched JSON-RPC messages are not supported' };
  const method = isObject(value) && typeof value.method === 'string' ? value.method : undefined;
  return { ok: true, value, method };
}

export function sendRpcError(ctx: RequestContext, status: number, code: number, message: string): void {
  ctx.sendJson(status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * Plain JSON clients (the original's curl and Python examples) send `initialize` with whatever params they like;
 * fill in what the SDK requires so they get the handshake the original gave them.
 */
export function withInitializeDefaults(message: unknown): unknown {
  if (!isObject(message) || message.method !== 'initialize') return message;
  const params = isObject(message.params) ? message.params : {};
  return {
    ...message,
    params: {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'json-client', version: '0' },
      ...params,
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
