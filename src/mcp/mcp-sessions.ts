// Stateful MCP sessions (`Mcp-Session-Id`): one McpServer and one Web-standard transport each, owned by the token
// that opened it. A session ends on DELETE, when it has been idle too long (no open request or stream), or when the
// gateway shuts down. Ending an MCP session ends nothing on the ACP side: sessions created through it live on.
import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { PromptToolHooks } from './prompt-tool.js';

export interface DnsRebindingOptions {
  enableDnsRebindingProtection: boolean;
  allowedHosts?: string[];
  allowedOrigins?: string[];
}

export interface McpSession {
  /** set by the transport once `initialize` was accepted */
  id: string | undefined;
  /** token name of the principal that opened the session; other tokens do not see it */
  readonly principal: string;
  readonly server: McpServer;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  lastSeen: number;
  /** open HTTP requests (an SSE stream counts until it ends) */
  inflight: number;
}

export interface McpSessionRegistryOptions {
  createServer(hooks: PromptToolHooks): McpServer;
  /** the SDK's own Host/Origin check, with the gateway's lists (the router checked them already) */
  dnsRebinding?: () => DnsRebindingOptions;
  /** an MCP session without an open request for this long is closed (default 30 min) */
  idleMs?: number;
  /** at most this many MCP sessions at once (default 1000) */
  maxSessions?: number;
  /** how often idle sessions are looked for (default 5 s) */
  sweepMs?: number;
  /** when true at a sweep, every session is closed (the gateway is going down) */
  shuttingDown?: () => boolean;
  now?: () => number;
}

export class McpSessionRegistry {
  private readonly sessions = new Map<string, McpSession>();
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;
  readonly maxSessions: number;

  constructor(private readonly o: McpSessionRegistryOptions) {
    this.idleMs = o.idleMs ?? 30 * 60 * 1000;
    this.maxSessions = o.maxSessions ?? 1000;
    this.now = o.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), o.sweepMs ?? 5000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): McpSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * A server and transport for a new session, connected. It is registered under its id when the transport accepts
   * the `initialize` request; one that never gets that far is closed by the caller (`closeIfUninitialized`).
   */
  async open(principal: string): Promise<McpSession> {
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      ...this.o.dnsRebinding?.(),
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session.id = id;
        this.sessions.set(id, session);
      },
    });
    // set before connect: the server chains its own close handling onto this one
    transport.onclose = () => {
      if (session.id !== undefined && this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    };
    const server = this.o.createServer({ closeRequestStream: (requestId) => transport.closeSSEStream(requestId) });
    const session: McpSession = { id: undefined, principal, server, transport, lastSeen: this.now(), inflight: 0 };
    await server.connect(transport);
    return session;
  }

  async closeIfUninitialized(session: McpSession): Promise<void> {
    if (session.id === undefined) await session.server.close();
  }

  begin(session: McpSession): void {
    session.inflight++;
    session.lastSeen = this.now();
  }

  end(session: McpSession): void {
    session.inflight = Math.max(0, session.inflight - 1);
    session.lastSeen = this.now();
  }

  /** Close sessions idle for longer than the limit (all of them when the gateway shuts down). */
  sweep(): void {
    const all = this.o.shuttingDown?.() ?? false;
    const now = this.now();
    for (const s of [...this.sessions.values()]) {
      if (all || (s.inflight === 0 && now - s.lastSeen > this.idleMs)) void s.server.close().catch(() => undefined);
    }
    if (all) clearInterval(this.sweeper);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => s.server.close().catch(() => undefined)));
  }
}
