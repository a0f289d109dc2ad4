// MCP servers a client may hand to an agent at session creation (ACP McpServer shapes).
import { z } from 'zod';

const nameValue = z.object({ name: z.string().min(1), value: z.string() });

export const mcpServerSchema = z.union([
  z.object({ name: z.string().min(1), command: z.string().min(1), args: z.array(z.string()).default([]), env: z.array(nameValue).default([]) }).strict(),
  z.object({ type: z.enum(['http', 'sse']), name: z.string().min(1), url: z.string().url(), headers: z.array(nameValue).default([]) }).strict(),
]);
