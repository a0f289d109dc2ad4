// terminal/create|output|wait_for_exit|kill|release for one session, with acpx's semantics (acp-protocol.md §4.2):
// no shell, own process group, stdout+stderr merged, output truncated from the front on a UTF-8 boundary,
// kill = SIGTERM then SIGKILL after 1.5 s on the group, release kills + frees and is idempotent.
//
// A terminal is not a sandbox by itself: the command runs with the gateway's uid and can reach anything that uid can,
// unless `wrapSpawn` puts it in the agent's sandbox (agents.<name>.sandbox: bwrap, src/sandbox).
// Confining cwd to the workspace and refusing code-injecting env vars keeps *defaults* and *approved commands*
// honest; approving commands at all is the permission policy's job (terminal/create should be permission-gated).
// Residual: a descendant that leaves the process group (setsid, double fork into a new session) escapes the group
// kill. A gateway crash leaves running terminals behind: the `lifecycle` hooks put each one in the log (its command
// runs only once `started` has resolved), and the next boot stops what is left of them (sessions/stray-terminals.ts).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TerminalError, errnoCode } from './errors.js';
import { resolveInWorkspace } from './confine-path.js';
import { DEFAULT_COMMAND_PATH, checkExecutable, findExecutableSync } from './executable.js';
import { DENIED_ENV_NAMES, buildTerminalEnv } from './terminal-env.js';
import { TerminalProcess, type ProcessIdentity, type TerminalExitStatus } from './terminal-process.js';

export { toJsonRpcError } from './json-rpc-error.js';
export type { TerminalExitStatus, ProcessIdentity } from './terminal-process.js';

/** A terminal's process as it is about to run its command. */
export interface StartingTerminal extends ProcessIdentity {
  terminalId: string;
  command: string;
  args: readonly string[];
  cwd: string;
}

/** Where a terminal's life is recorded. */
export interface TerminalLifecycle {
  /** Resolve once the process is on record: its command runs only then. A rejection kills it unrun. */
  started(t: StartingTerminal): Promise<void>;
  /** the process exited (its group may live on until release) */
  exited(terminalId: string, status: TerminalExitStatus): void;
  /** released: the group was signalled, and `gone` says whether it was seen empty */
  released(terminalId: string, gone: boolean): void;
}

export interface TerminalManagerOptions {
  workspaceRoot: string;
  /** The environment every terminal starts from (not the gateway's own: it holds the gateway's secrets). */
  baseEnv: Record<string, string>;
  /** Output bytes kept when terminal/create names no outputByteLimit (acpx uses 64 KiB). */
  defaultOutputByteLimit: number;
  /** Host ceiling for a requested outputByteLimit (a larger request is clamped). Default: max(default, 1 MiB). */
  maxOutputByteLimit?: number;
  /** Unreleased terminals a session may hold at once. Default 16. */
  maxTerminals?: number;
  /** When set (e.g. '/bin/sh'), a create without `args` runs [shell, '-c', command]; otherwise never a shell. */
  shell?: string;
  /** Time between SIGTERM and SIGKILL. Default 1500 ms. */
  killGraceMs?: number;
  /** Env names the agent may not set (prefixes LD_, DYLD_, BASH_FUNC_ always apply). Default DENIED_ENV_NAMES. */
  deniedEnvNames?: readonly string[];
  /** where each terminal's start, exit and release are recorded (default: nowhere) */
  lifecycle?: TerminalLifecycle;
  /**
   * Where a bare command name is found first (permissions.command_path; default DEFAULT_COMMAND_PATH): the program
   * permission rules resolved is the one that runs, whatever PATH the agent sets. A name found nowhere there is
   * looked up on the terminal's PATH (no allow rule can have matched it).
   */
  commandPath?: readonly string[];
  /** Turns the process to start into the one actually started (the agent's sandbox); a throw fails the create. */
  wrapSpawn?: (spec: SpawnSpec) => Promise<SpawnSpec>;
}

export interface SpawnSpec {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

const UNRECORDED: TerminalLifecycle = { started: async () => undefined, exited: () => undefined, released: () => undefined };

const noNul = (s: string): boolean => !s.includes('\0');
const createParamsSchema = z.object({
  command: z.string().min(1).refine(noNul, 'contains a NUL byte'),
  args: z.array(z.string().refine(noNul, 'contains a NUL byte')).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
  cwd: z.string().nullish(),
  outputByteLimit: z.number().int().min(0).nullish(),
});
export type CreateTerminalParams = z.input<typeof createParamsSchema>;

export interface TerminalOutput {
  output: string;
  truncated: boolean;
  /** Present only once the process has exited. */
  exitStatus?: TerminalExitStatus;
}

const DEFAULT_MAX_TERMINALS = 16;
const DEFAULT_KILL_GRACE_MS = 1500;
/** How long release waits beyond the kill grace for the group to disappear. */
const RELEASE_EXTRA_WAIT_MS = 1000;

export class TerminalManager {
  readonly #opts: Required<Omit<TerminalManagerOptions, 'shell' | 'wrapSpawn'>> & Pick<TerminalManagerOptions, 'shell' | 'wrapSpawn'>;
  readonly #lifecycle: TerminalLifecycle;
  readonly #terminals = new Map<string, TerminalProcess>();
  #starting = 0;
  #closed = false;

  constructor(opts: TerminalManagerOptions) {
    this.#opts = {
      workspaceRoot: opts.workspaceRoot,
      baseEnv: { ...opts.baseEnv },
      defaultOutputByteLimit: opts.defaultOutputByteLimit,
      maxOutputByteLimit: opts.maxOutputByteLimit ?? Math.max(opts.defaultOutputByteLimit, 1024 * 1024),
      maxTerminals: opts.maxTerminals ?? DEFAULT_MAX_TERMINALS,
      shell: opts.shell,
      killGraceMs: opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      deniedEnvNames: opts.deniedEnvNames ?? DENIED_ENV_NAMES,
      lifecycle: opts.lifecycle ?? UNRECORDED,
      commandPath: opts.commandPath ?? DEFAULT_COMMAND_PATH,
      wrapSpawn: opts.wrapSpawn,
    };
    this.#lifecycle = this.#opts.lifecycle;
  }

  /** Unreleased terminals (running or exited). */
  get size(): number {
    return this.#terminals.size;
  }

  /** Starts the command and returns its id once the process is running; throws TerminalError / WorkspaceAccessError. */
  async create(params: CreateTerminalParams): Promise<{ terminalId: string }> {
    if (this.#closed) throw new TerminalError('manager_closed', 'the session is closing: no new terminals');
    const p = parseCreateParams(params);
    if (this.#terminals.size + this.#starting >= this.#opts.maxTerminals) {
      throw new TerminalError('too_many_terminals', `at most ${this.#opts.maxTerminals} terminals; release one first`);
    }
    this.#starting += 1;
    try {
      const cwd = await resolveInWorkspace(this.#opts.workspaceRoot, p.cwd ?? '.', { forWrite: false, expect: 'directory' });
      const env = buildTerminalEnv(this.#opts.baseEnv, p.env ?? undefined, this.#opts.deniedEnvNames);
      const useShell = p.args == null && this.#opts.shell !== undefined;
      const file = useShell ? this.#opts.shell! : this.#programOf(p.command, cwd);
      const args = useShell ? ['-c', p.command] : (p.args ?? []);
      const outputByteLimit = Math.min(p.outputByteLimit ?? this.#opts.defaultOutputByteLimit, this.#opts.maxOutputByteLimit);
      let terminal: TerminalProcess;
      try {
        // in a sandbox bwrap execs the command: it is checked here first, so a missing one is still spawn_failed
        if (this.#opts.wrapSpawn) await checkExecutable(file, env.PATH, cwd);
        const spec = this.#opts.wrapSpawn ? await this.#opts.wrapSpawn({ file, args, cwd, env }) : { file, args, cwd, env };
        terminal = await TerminalProcess.spawn({ ...spec, outputByteLimit });
      } catch (e) {
        throw spawnFailed(p.command, e);
      }
      const terminalId = `term_${randomUUID()}`;
      const unrun = async (error: TerminalError): Promise<never> => {
        await terminal.terminate(this.#opts.killGraceMs, this.#opts.killGraceMs + RELEASE_EXTRA_WAIT_MS);
        throw error;
      };
      if (this.#closed) return unrun(new TerminalError('manager_closed', 'the session is closing: no new terminals'));
      try {
        await this.#lifecycle.started({ terminalId, ...terminal.identity(), command: file, args, cwd });
      } catch (e) {
        return unrun(new TerminalError('not_recorded', 'the terminal could not be recorded, so its command was not run', undefined, { cause: e }));
      }
      if (this.#closed) return unrun(new TerminalError('manager_closed', 'the session is closing: no new terminals'));
      this.#terminals.set(terminalId, terminal);
      void terminal.exited.then((status) => this.#lifecycle.exited(terminalId, status));
      terminal.start();
      return { terminalId };
    } finally {
      this.#starting -= 1;
    }
  }

  output(terminalId: string): TerminalOutput {
    const terminal = this.#get(terminalId);
    const { output, truncated } = terminal.snapshot();
    const status = terminal.status;
    return status === undefined ? { output, truncated } : { output, truncated, exitStatus: { ...status } };
  }

  waitForExit(terminalId: string): Promise<TerminalExitStatus> {
    return this.#get(terminalId).exited.then((s) => ({ ...s }));
  }

  /** SIGTERM to the process group, SIGKILL after the grace if anything is left. The terminal stays valid. */
  kill(terminalId: string): void {
    this.#get(terminalId).kill(this.#opts.killGraceMs);
  }

  /** The process id (also the process group id) of a terminal, for logs and events. */
  pid(terminalId: string): number {
    return this.#get(terminalId).pid;
  }

  /**
   * Kills the terminal if it is running and frees it; the id is invalid from the moment this is called. Resolves
   * when the process group is gone or after a bounded wait (grace + 1 s). Unknown ids are fine (idempotent).
   */
  async release(terminalId: string): Promise<void> {
    const terminal = this.#terminals.get(terminalId);
    if (terminal === undefined) return;
    this.#terminals.delete(terminalId);
    const gone = await terminal.terminate(this.#opts.killGraceMs, this.#opts.killGraceMs + RELEASE_EXTRA_WAIT_MS);
    this.#lifecycle.released(terminalId, gone);
  }

  /** Releases every terminal (session close); resolves when all are gone or after the bounded wait. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.#terminals.keys()].map((id) => this.release(id)));
  }

  /** No new terminals from now on (creates in flight are killed when they finish starting), then releaseAll. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.releaseAll();
  }

  /** A bare name found on the command path becomes that absolute path (see TerminalManagerOptions.commandPath). */
  #programOf(command: string, cwd: string): string {
    if (command.includes('/')) return command;
    return findExecutableSync(command, cwd, this.#opts.commandPath)?.path ?? command;
  }

  #get(terminalId: string): TerminalProcess {
    const terminal = typeof terminalId === 'string' ? this.#terminals.get(terminalId) : undefined;
    if (terminal === undefined) {
      throw new TerminalError('unknown_terminal', `unknown or released terminal: ${String(terminalId)}`, String(terminalId));
    }
    return terminal;
  }
}

function parseCreateParams(params: unknown): z.output<typeof createParamsSchema> {
  const parsed = createParamsSchema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || 'params';
  throw new TerminalError('invalid_params', `invalid ${where}: ${issue?.message ?? 'malformed'}`);
}

function spawnFailed(command: string, e: unknown): TerminalError {
  const code = errnoCode(e);
  const why =
    code === 'ENOENT' ? 'command not found' : code === 'EACCES' ? 'permission denied' : (code ?? (e instanceof Error ? e.message : 'cannot be started'));
  return new TerminalError('spawn_failed', `cannot start ${JSON.stringify(command)}: ${why}`, undefined, { cause: e });
}
