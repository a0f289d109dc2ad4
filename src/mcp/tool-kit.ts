// What an MCP tool of the gateway is, and the small helpers every tool shares: results in the original's text form,
// failures as `isError` results, and the command metadata of the HTTP request that carried the call.
import type { z } from 'zod';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { EventMeta } from '../store/types.js';
import type { RequestContext } from '../http/request-context.js';
import { holdsScope, insufficientScopeMessage, type Scope } from '../http/scopes.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** One tool call as a tool sees it. */
export interface ToolCall {
  /** who, from where, in which HTTP request: recorded on every command event the tool causes */
  meta: EventMeta;
  extra: ToolExtra;
}

export interface McpTool {
  name: string;
  description: string;
  /** the scope a token needs to call the tool (scopeFor(operation)); tools/list shows every tool to every token */
  scope: Scope;
  /** strict object schema: unknown keys and wrong types are JSON-RPC errors, not tool failures */
  input: z.ZodObject;
  output?: z.ZodObject;
  /** `args` were parsed with `input` */
  run(args: unknown, call: ToolCall): Promise<CallToolResult>;
}

/** Type the tool's arguments by its schema; `run` is only ever called with arguments `input` accepted. */
export function defineTool<S extends z.ZodObject>(tool: {
  name: string;
  description: string;
  scope: Scope;
  input: S;
  output?: z.ZodObject;
  run(args: z.infer<S>, call: ToolCall): Promise<CallToolResult>;
}): McpTool {
  return { ...tool, run: (args, call) => tool.run(args as z.infer<S>, call) };
}

export function textResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], ...(structured ? { structuredContent: structured } : {}) };
}

export function errorResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true, ...(structured ? { structuredContent: structured } : {}) };
}

/** A failed service call as the original phrased tool failures: `Error: <message>`. */
export function failure(e: unknown): CallToolResult {
  // text only: SDK clients check any structured content against the tool's output schema, error results included
  // (a budget refusal's message names the budget, the usage and when it resets)
  return errorResult(`Error: ${e instanceof Error ? e.message : String(e)}`);
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * The auth info the endpoint hands the transport for one HTTP request. The token itself never leaves the router:
 * only the principal's name and scopes and the request's id and client address travel to the tools.
 */
export function requestAuthInfo(ctx: RequestContext): AuthInfo {
  return {
    token: '',
    clientId: ctx.principal?.name ?? 'unknown',
    scopes: [...(ctx.principal?.scopes ?? [])],
    extra: { request_id: ctx.requestId, client_request_id: ctx.clientRequestId, client: ctx.client },
  };
}

/** The isError result for a call whose token lacks the tool's scope, or undefined when it holds it. */
export function scopeFailure(tool: McpTool, extra: ToolExtra): CallToolResult | undefined {
  const held = (extra.authInfo?.scopes ?? []) as Scope[];
  return holdsScope(held, tool.scope) ? undefined : errorResult(`Error: ${insufficientScopeMessage(tool.scope)}`, { scope: tool.scope });
}

export function callMeta(extra: ToolExtra): EventMeta {
  const info = extra.authInfo;
  const more = (info?.extra ?? {}) as { request_id?: unknown; client_request_id?: unknown; client?: unknown };
  return {
    principal: info?.clientId,
    scopes: info?.scopes,
    request_id: typeof more.request_id === 'string' ? more.request_id : undefined,
    ...(typeof more.client_request_id === 'string' ? { client_request_id: more.client_request_id } : {}),
    client: typeof more.client === 'string' ? more.client : undefined,
  };
}
