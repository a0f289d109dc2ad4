// One agent child process speaking ACP over stdio, driven through the official SDK client. Every message in and
// out, and every stdout line that is not a message, goes to the tap before the SDK sees it. Exit is detected at
// once (process exit or stdout close): the SDK then fails every pending request, and `exited` resolves with the
// exit code, signal and the tail of stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import type { AnyMessage, ClientConnection } from '@agentclientprotocol/sdk';
import type * as acp from '@agentclientprotocol/sdk';
import { acpSdk, loadAcpSdk } from './sdk.js';
import { createTappedStream, type StreamTap } from './tapped-stream.js';
import { TailBuffer } from './tail-buffer.js';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  stderrTail: string;
  /** true when we asked the process to stop (close, kill) */
  requested: boolean;
}

/** The client methods an agent may call. Throw `rpcError(...)` (the SDK's RequestError) for a specific JSON-RPC error. */
export interface ClientMethodHandlers {
  requestPermission(params: acp.RequestPermissionRequest, signal: AbortSignal): Promise<acp.RequestPermissionResponse>;
  readTextFile(params: acp.ReadTextFileRequest): Promise<acp.ReadTextFileResponse>;
  writeTextFile(params: acp.WriteTextFileRequest): Promise<acp.WriteTextFileResponse>;
  createTerminal(params: acp.CreateTerminalRequest, signal: AbortSignal): Promise<acp.CreateTerminalResponse>;
  terminalOutput(params: acp.TerminalOutputRequest): Promise<acp.TerminalOutputResponse>;
  waitForTerminalExit(params: acp.WaitForTerminalExitRequest, signal: AbortSignal): Promise<acp.WaitForTerminalExitResponse>;
  killTerminal(params: acp.KillTerminalRequest): Promise<acp.KillTerminalResponse>;
  releaseTerminal(params: acp.ReleaseTerminalRequest): Promise<acp.ReleaseTerminalResponse>;
}

export interface AgentConnectionOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  handlers: ClientMethodHandlers;
  tap: StreamTap;
  /** bytes of stderr kept for the exit report (default 8 KiB) */
  stderrTailBytes?: number;
  /** longest stdout line accepted (default 32 MiB, as the SDK) */
  maxLineBytes?: number;
  /** how to ask the process (group `pid`) to stop; default SIGTERM to the group (a sandbox spares its bwrap) */
  askToStop?: (pid: number) => void;
}

export class AgentSpawnError extends Error {}

export class AgentConnection {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly connection: ClientConnection;
  private readonly stderr: TailBuffer;
  private stopRequested = false;
  private readonly askToStop: ((pid: number) => void) | undefined;
  private exitInfo: ExitInfo | undefined;

  private constructor(child: ChildProcess, options: AgentConnectionOptions) {
    this.child = child;
    this.pid = child.pid!;
    this.askToStop = options.askToStop;
    this.stderr = new TailBuffer(options.stderrTailBytes ?? 8192);
    child.stderr!.on('data', (b: Buffer) => this.stderr.push(b));
    const stream = createTappedStream(child.stdout!, child.stdin!, options.tap, options.maxLineBytes ?? 32 * 1024 * 1024);
    this.connection = buildClient(options.handlers).connect(stream);
    this.exited = new Promise<ExitInfo>((resolve) => {
      let settled = false;
      const finish = (code: number | null, signal: string | null) => {
        if (settled) return;
        settled = true;
        stream.end();
        this.exitInfo = { code, signal, stderrTail: this.stderr.text(), requested: this.stopRequested };
        resolve(this.exitInfo);
      };
      child.on('exit', (code, signal) => {
        // give stderr a moment to drain so the tail has the agent's last words
        setImmediate(() => finish(code, signal));
      });
      // stdout closed while the process lives on: it cannot talk to us any more, so it is as good as dead
      child.stdout!.on('close', () => {
        setTimeout(() => {
          if (!settled && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }, 200).unref();
      });
    });
  }

  /** Spawn the agent. Rejects with AgentSpawnError when the executable cannot be started. */
  static async spawn(options: AgentConnectionOptions): Promise<AgentConnection> {
    await loadAcpSdk();
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(options.command, [...options.args], {
          cwd: options.cwd,
          env: options.env,
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true, // own process group: stopping the agent also stops what it started
        });
      } catch (e) {
        reject(new AgentSpawnError(`cannot start ${options.command}: ${(e as Error).message}`));
        return;
      }
      child.once('error', (e) => reject(new AgentSpawnError(`cannot start ${options.command}: ${e.message}`)));
      child.once('spawn', () => resolve(new AgentConnection(child, options)));
    });
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  request<T = unknown>(method: string, params: unknown, signal?: AbortSignal): Promise<T> {
    return this.connection.agent.request(method, params, signal ? { cancellationSignal: signal } : undefined) as Promise<T>;
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.agent.notify(method, params);
  }

  /** Stop the process group: TERM, then KILL after `graceMs`. Resolves with the exit info. */
  async stop(graceMs = 2000): Promise<ExitInfo> {
    if (this.exitInfo) return this.exitInfo;
    this.stopRequested = true;
    this.child.stdin?.end();
    if (this.askToStop) this.askToStop(this.pid);
    else this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    timer.unref();
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  /** Kill at once (no grace). */
  kill(): void {
    this.stopRequested = true;
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        /* already gone */
      }
    }
  }
}

function buildClient(h: ClientMethodHandlers) {
  const { client, methods } = acpSdk();
  return client({ name: 'aintegrix' })
    .onRequest(methods.client.session.requestPermission, ({ params, signal }) => h.requestPermission(params, signal))
    .onRequest(methods.client.fs.readTextFile, ({ params }) => h.readTextFile(params))
    .onRequest(methods.client.fs.writeTextFile, ({ params }) => h.writeTextFile(params))
    .onRequest(methods.client.terminal.create, ({ params, signal }) => h.createTerminal(params, signal))
    .onRequest(methods.client.terminal.output, ({ params }) => h.terminalOutput(params))
    .onRequest(methods.client.terminal.waitForExit, ({ params, signal }) => h.waitForTerminalExit(params, signal))
    .onRequest(methods.client.terminal.kill, ({ params }) => h.killTerminal(params))
    .onRequest(methods.client.terminal.release, ({ params }) => h.releaseTerminal(params))
    // session/update is recorded and read from the raw tap, which does not even pass it on (tapped-stream.ts)
    .onNotification(methods.client.session.update, () => undefined);
}

export type { AnyMessage };
