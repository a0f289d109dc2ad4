// MCP clients for the tests: the official SDK client over Streamable HTTP, and a plain JSON client that posts the
// way the original's curl and Python examples did (only `Content-Type: application/json`).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { TOKEN, type TestGateway } from '../helpers/gateway.js';

export interface SdkClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  close(): Promise<void>;
}

export async function connectSdkClient(g: TestGateway, token = TOKEN): Promise<SdkClient> {
  const client = new Client({ name: 'aintegrix-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${g.url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, transport, close: () => client.close() };
}

/** The first text content of a tool result (what the original's clients read). */
export function textOf(r: unknown): string {
  const content = (r as CallToolResult).content;
  const first = content[0];
  if (!first || first.type !== 'text') throw new Error(`no text content in ${JSON.stringify(r)}`);
  return first.text;
}

export function sessionIdFrom(text: string): string {
  const m = /^Session created: (\S+) \(agent: [^,]+, model: [^)]+\)$/.exec(text);
  if (!m) throw new Error(`not a session-created text: ${text}`);
  return m[1]!;
}

export interface PlainReply {
  status: number;
  contentType: string | null;
  sessionHeader: string | null;
  body: any;
}

/** POST a raw body to /mcp like a plain JSON client. */
export async function postRaw(
  g: TestGateway,
  raw: string,
  o: { token?: string | null; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<PlainReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
  const token = o.token === undefined ? TOKEN : o.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${g.url}/mcp`, { method: 'POST', headers, body: raw, signal: o.signal });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = text.length ? JSON.parse(text) : undefined;
  } catch {
    /* keep the text */
  }
  return { status: r.status, contentType: r.headers.get('content-type'), sessionHeader: r.headers.get('mcp-session-id'), body };
}

let nextId = 1;
/** A JSON-RPC request from a plain JSON client. */
export function rpc(g: TestGateway, method: string, params?: unknown, o: { token?: string | null; signal?: AbortSignal } = {}): Promise<PlainReply> {
  return postRaw(g, JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, ...(params === undefined ? {} : { params }) }), o);
}

export function callTool(g: TestGateway, name: string, args: Record<string, unknown>, o: { signal?: AbortSignal } = {}): Promise<PlainReply> {
  return rpc(g, 'tools/call', { name, arguments: args }, o);
}
