// One `McpServer` with the gateway's tools. The SDK's own tools/call handler turns every error, an unknown tool and
// arguments that fail the schema included, into an `isError` result; here those two are JSON-RPC errors (-32602) as
// the original answered them, and only a tool's own failures are `isError` results.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayServices } from '../http/services.js';
import { CLIENT_INFO } from '../sessions/agent-attach.js';
import { zodIssueMessage } from '../http/validation.js';
import { callMeta, failure, scopeFailure, type McpTool, type ToolExtra } from './tool-kit.js';
import { sessionTools } from './session-tools.js';
import { promptTool, type PromptToolHooks } from './prompt-tool.js';
import { logTools } from './log-tools.js';
import { usageTool } from './usage-tool.js';
import { orchestrateTool } from './orchestrate-tool.js';
import { pipelineTool } from './pipeline-tool.js';

export const SERVER_INFO = { name: 'aintegrix', version: CLIENT_INFO.version };

const INSTRUCTIONS =
  'AIntegriX runs ACP coding agents. acp_list_agents, then acp_create_session, then acp_prompt as often as needed, ' +
  'then acp_close_session. While acp_prompt waits for a permission, acp_list_approvals and acp_decide_approval answer it.';

export function gatewayTools(gw: GatewayServices, hooks: PromptToolHooks = {}): McpTool[] {
  const [listAgents, create, ...lifecycle] = sessionTools(gw);
  return [listAgents!, create!, promptTool(gw, hooks), ...lifecycle, ...logTools(gw), usageTool(gw), orchestrateTool(gw), pipelineTool(gw)];
}

export function createMcpServer(gw: GatewayServices, hooks: PromptToolHooks = {}): McpServer {
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const tools = new Map<string, McpTool>();
  for (const tool of gatewayTools(gw, hooks)) {
    tools.set(tool.name, tool);
    // registration gives tools/list (names, descriptions, JSON schemas); calls go through `callTool` below
    server.registerTool(
      tool.name,
      { description: tool.description, inputSchema: tool.input, ...(tool.output ? { outputSchema: tool.output } : {}) },
      (args: unknown, extra: ToolExtra) => runTool(gw, tool, args, extra),
    );
  }
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = tools.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool: ${request.params.name}`);
    const parsed = tool.input.safeParse(request.params.arguments ?? {});
    if (!parsed.success) throw new McpError(ErrorCode.InvalidParams, `invalid arguments for ${tool.name}: ${zodIssueMessage(parsed.error)}`);
    return runTool(gw, tool, parsed.data, extra);
  });
  return server;
}

async function runTool(gw: GatewayServices, tool: McpTool, args: unknown, extra: ToolExtra): Promise<CallToolResult> {
  const refused = scopeFailure(tool, extra);
  if (refused) return refused;
  try {
    return await tool.run(args, { meta: callMeta(extra), extra });
  } catch (e) {
    gw.logger.error('MCP tool failed', { tool: tool.name, error: e as Error });
    return failure(e);
  }
}
