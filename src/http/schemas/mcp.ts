// JSON-RPC 2.0 as /mcp answers it (the MCP Streamable HTTP transport).
import { z } from 'zod';
import { errorSchema } from './error.js';

const id = z.union([z.string(), z.number(), z.null()]);

export const jsonRpcMessageSchema = z
  .looseObject({ jsonrpc: z.literal('2.0'), id: id.optional(), result: z.unknown().optional(), error: z.unknown().optional(), method: z.string().optional() })
  .meta({ id: 'JsonRpcMessage', description: 'a JSON-RPC 2.0 response (or a batch of them)' });

export const jsonRpcErrorSchema = z
  .object({ jsonrpc: z.literal('2.0'), error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }), id })
  .meta({ id: 'JsonRpcError' });

/** errors of /mcp: the transport's JSON-RPC errors, or the API's shape for what the router refuses first */
export const mcpErrorSchema = z.union([jsonRpcErrorSchema, errorSchema]);

export const jsonRpcRequestSchema = z
  .looseObject({ jsonrpc: z.literal('2.0'), method: z.string(), id: id.optional(), params: z.unknown().optional() })
  .meta({ id: 'JsonRpcRequest' });
