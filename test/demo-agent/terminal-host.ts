// The test client's terminal/* side, kept minimal: really spawns the command (no shell), merges stdout and
// stderr, keeps the last `outputByteLimit` bytes, kill = SIGTERM, release = kill + forget.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { RequestError } from '@agentclientprotocol/sdk/unstable';
import type { ClientApp, CreateTerminalRequest, TerminalExitStatus } from '@agentclientprotocol/sdk/unstable';

interface HostedTerminal {
  proc: ChildProcess;
  output: Buffer;
  truncated: boolean;
  limit: number | null;
  exit: Promise<TerminalExitStatus>;
  exitStatus: TerminalExitStatus | null;
}

export class TerminalHost {
  readonly created: CreateTerminalRequest[] = [];
  readonly calls: string[] = [];
  private readonly terminals = new Map<string, HostedTerminal>();
  private nextId = 1;

  register(app: ClientApp): void {
    app.onRequest('terminal/create', ({ params }) => {
      this.calls.push('terminal/create');
      this.created.push(params);
      // Refuse up front what surely cannot start, so the agent's error path can be tested.
      if (isAbsolute(params.command) && !existsSync(params.command)) {
        throw RequestError.invalidParams({ command: params.command }, 'command not found');
      }
      const proc = spawn(params.command, params.args ?? [], { cwd: params.cwd ?? undefined, stdio: ['ignore', 'pipe', 'pipe'] });
      const t: HostedTerminal = {
        proc,
        output: Buffer.alloc(0),
        truncated: false,
        limit: params.outputByteLimit ?? null,
        exitStatus: null,
        exit: new Promise((resolve) => {
          proc.once('close', (code, signal) => resolve({ exitCode: code, signal }));
          proc.once('error', () => resolve({ exitCode: 127, signal: null }));
        }),
      };
      void t.exit.then((s) => {
        t.exitStatus = s;
      });
      const append = (d: Buffer): void => {
        t.output = Buffer.concat([t.output, d]);
        if (t.limit !== null && t.output.length > t.limit) {
          t.output = t.output.subarray(t.output.length - t.limit);
          t.truncated = true;
        }
      };
      proc.stdout!.on('data', append);
      proc.stderr!.on('data', append);
      const terminalId = `term-${this.nextId++}`;
      this.terminals.set(terminalId, t);
      return { terminalId };
    });
    app.onRequest('terminal/output', ({ params }) => {
      this.calls.push('terminal/output');
      const t = this.get(params.terminalId);
      return { output: t.output.toString('utf8'), truncated: t.truncated, ...(t.exitStatus ? { exitStatus: t.exitStatus } : {}) };
    });
    app.onRequest('terminal/wait_for_exit', async ({ params }) => {
      this.calls.push('terminal/wait_for_exit');
      return this.get(params.terminalId).exit;
    });
    app.onRequest('terminal/kill', ({ params }) => {
      this.calls.push('terminal/kill');
      this.get(params.terminalId).proc.kill('SIGTERM');
      return {};
    });
    app.onRequest('terminal/release', ({ params }) => {
      this.calls.push('terminal/release');
      const t = this.terminals.get(params.terminalId);
      if (t && t.exitStatus === null) t.proc.kill('SIGKILL');
      this.terminals.delete(params.terminalId);
      return {};
    });
  }

  /** Kills whatever a failed test left running. */
  releaseAll(): void {
    for (const t of this.terminals.values()) if (t.exitStatus === null) t.proc.kill('SIGKILL');
    this.terminals.clear();
  }

  private get(terminalId: string): HostedTerminal {
    const t = this.terminals.get(terminalId);
    if (!t) throw RequestError.resourceNotFound(terminalId);
    return t;
  }
}
