// Spawns the compiled demo agent and drives it with the official SDK *client* side, recording the raw lines the
// agent wrote (a tap before the SDK's validation, which drops updates outside the schema) and the updates.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Readable, Writable } from 'node:stream';
import { client, ndJsonStream } from '@agentclientprotocol/sdk/unstable';
import type {
  ClientCapabilities,
  ClientConnection,
  ClientContext,
  ContentBlock,
  InitializeResponse,
  NewSessionResponse,
  PromptResponse,
  RequestPermissionRequest,
  RequestPermissionResponse,
  SessionNotification,
  SessionUpdate,
} from '@agentclientprotocol/sdk/unstable';
import { FsHost } from './fs-host.js';
import { TerminalHost } from './terminal-host.js';

/** The compiled agent, found next to this compiled test (same src/ + test/ layout in every outDir). */
export const AGENT_MAIN = fileURLToPath(new URL('../../src/demo-agent/main.js', import.meta.url));

export type PermissionHandler = (
  request: RequestPermissionRequest,
  agent: ClientContext,
  signal: AbortSignal,
) => Promise<RequestPermissionResponse> | RequestPermissionResponse;

export interface SpawnOptions {
  args?: string[];
  /** merged over process.env; DEMO_AGENT_* variables of the test runner are removed first */
  env?: Record<string, string>;
  permission?: PermissionHandler;
  /** serve fs/* from this directory (advertises fs capabilities) */
  fs?: FsHost;
  /** serve terminal/* by really spawning processes (advertises the terminal capability) */
  terminals?: TerminalHost;
}

export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class AgentUnderTest {
  /** every line the agent wrote to stdout, unparsed */
  readonly rawLines: string[] = [];
  /** every session/update that survived the SDK's validation */
  readonly updates: SessionNotification[] = [];
  readonly exited: Promise<AgentExit>;
  readonly conn: ClientConnection;
  private stderrText = '';

  constructor(
    readonly child: ChildProcess,
    options: SpawnOptions,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      this.stderrText += d;
    });
    const tap = this.stdoutTap();
    const input = (Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>).pipeThrough(tap);
    const output = Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>;
    const app = client({ name: 'demo-agent-test' }).onNotification('session/update', ({ params }) => {
      this.updates.push(params);
    });
    const permission = options.permission;
    app.onRequest('session/request_permission', async ({ params, agent, signal }) => {
      if (!permission) throw new Error('this test did not expect a permission request');
      return permission(params, agent, signal);
    });
    options.fs?.register(app);
    options.terminals?.register(app);
    this.conn = app.connect(ndJsonStream(output, input));
  }

  get agent(): ClientContext {
    return this.conn.agent;
  }

  get stderr(): string {
    return this.stderrText;
  }

  async initialize(clientCapabilities: ClientCapabilities = {}): Promise<InitializeResponse> {
    return this.agent.request('initialize', {
      protocolVersion: 1,
      clientCapabilities,
      clientInfo: { name: 'demo-agent-test', version: '0.0.0' },
    });
  }

  async newSession(cwd: string): Promise<NewSessionResponse> {
    return this.agent.request('session/new', { cwd, mcpServers: [] });
  }

  prompt(sessionId: string, prompt: string | ContentBlock[]): Promise<PromptResponse> {
    const blocks: ContentBlock[] = typeof prompt === 'string' ? [{ type: 'text', text: prompt }] : prompt;
    return this.agent.request('session/prompt', { sessionId, prompt: blocks });
  }

  /** Forgets the updates and raw lines seen so far (call between turns). */
  reset(): void {
    this.updates.length = 0;
    this.rawLines.length = 0;
  }

  updatesOf(sessionId: string): SessionUpdate[] {
    return this.updates.filter((n) => n.sessionId === sessionId).map((n) => n.update);
  }

  /** The raw stdout lines that parse as JSON-RPC session/update notifications, as parsed objects. */
  rawUpdates(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of this.rawLines) {
      try {
        const message = JSON.parse(line) as { method?: string; params?: { update?: Record<string, unknown> } };
        if (message.method === 'session/update' && message.params?.update) out.push(message.params.update);
      } catch {
        // a junk line: not an update
      }
    }
    return out;
  }

  /** Ends stdin and waits for the agent to exit (killing it if it does not within 3 s). */
  async stop(): Promise<AgentExit> {
    this.conn.close();
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  private stdoutTap(): TransformStream<Uint8Array, Uint8Array> {
    const decoder = new TextDecoder();
    let partial = '';
    return new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        partial += decoder.decode(chunk, { stream: true });
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        this.rawLines.push(...lines);
        controller.enqueue(chunk);
      },
    });
  }
}

export function spawnAgent(options: SpawnOptions = {}): AgentUnderTest {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DEMO_AGENT_')) env[k] = v;
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [AGENT_MAIN, ...(options.args ?? [])], { stdio: ['pipe', 'pipe', 'pipe'], env });
  return new AgentUnderTest(child, options);
}

/** Concatenated text of the agent_message_chunk updates. */
export function messageText(updates: readonly SessionUpdate[]): string {
  let text = '';
  for (const u of updates) if (u.sessionUpdate === 'agent_message_chunk' && u.content.type === 'text') text += u.content.text;
  return text;
}

export function ofKind<K extends SessionUpdate['sessionUpdate']>(
  updates: readonly SessionUpdate[],
  kind: K,
): Array<Extract<SessionUpdate, { sessionUpdate: K }>> {
  return updates.filter((u): u is Extract<SessionUpdate, { sessionUpdate: K }> => u.sessionUpdate === kind);
}

