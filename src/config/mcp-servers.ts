// Config MCP servers use maps for env and headers (natural in YAML); ACP wants lists of {name, value}.
import type { McpServer } from '@agentclientprotocol/sdk';
import type { McpServerConfig } from './schema.js';

export function toAcpMcpServer(server: McpServerConfig): McpServer {
  if (server.type === 'stdio') {
    return {
      name: server.name,
      command: server.command,
      args: [...server.args],
      env: Object.entries(server.env).map(([name, value]) => ({ name, value })),
    };
  }
  const headers = Object.entries(server.headers).map(([name, value]) => ({ name, value }));
  return server.type === 'http'
    ? { type: 'http', name: server.name, url: server.url, headers }
    : { type: 'sse', name: server.name, url: server.url, headers };
}
