// One terminal's process: spawned in its own process group, stdout+stderr merged into a bounded OutputBuffer, exit
// observed, and killed as a group (SIGTERM, then SIGKILL after a grace period).
//
// The command does not run at once: the process starts as a small shell that waits on a pipe (fd 3) and only then
// execs the command (same pid, same group, same start time). The gateway records the process (pid, start time) in
// the log in between and then says go (`start()`); if the gateway dies first, the pipe closes, the shell exits 125
// and the command never runs. So every terminal command that ever ran is in the log with what identifies its process,
// and a restarted gateway can find what is left of it (stray-terminals.ts). The shell is only the waiting room: the
// command itself is exec'd with its arguments as they are, never parsed by the shell.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { errnoCode } from './errors.js';
import { checkExecutable } from './executable.js';
import { groupHasLiveMember, processStartTime } from './process-group.js';
import { OutputBuffer, type OutputSnapshot } from './output-buffer.js';

export interface TerminalExitStatus {
  exitCode: number | null;
  signal: string | null;
}

export interface TerminalSpawnSpec {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  outputByteLimit: number;
}

/**
 * After the process exits, how long to wait for its stdout/stderr to reach end-of-file before reporting the exit
 * anyway: a background grandchild that inherited the pipes can hold them open indefinitely, and wait_for_exit is
 * about the command's process, not its descendants.
 */
const STDIO_DRAIN_MS = 250;
const GONE_POLL_MS = 50;
/**
 * Waits for a line on fd 3 (EOF: the gateway is gone, exit 125 without running anything), then execs "$@". The
 * shell exports PWD on its own: it is taken out again unless the command's environment had it.
 */
const waitingRoom = (env: Record<string, string>) => `read _ <&3 || exit 125; exec 3<&-; ${'PWD' in env ? '' : 'unset PWD; '}exec "$@"`;
const SHELL = '/bin/sh';

/** What identifies a terminal's process for as long as it runs (a pid alone can be reused). */
export interface ProcessIdentity {
  pid: number;
  /** the process group: the pid, as the process leads its own group */
  pgid: number;
  /** field 22 of /proc/<pid>/stat (clock ticks after boot); null where there is no /proc */
  startTime: string | null;
}

export class TerminalProcess {
  readonly output: OutputBuffer;
  /** Resolves with the exit status once the process exited and its output was drained (see STDIO_DRAIN_MS). */
  readonly exited: Promise<TerminalExitStatus>;
  #child: ChildProcess;
  #status: TerminalExitStatus | undefined;
  #resolveExited!: (s: TerminalExitStatus) => void;
  #stdioClosed = false;
  #drainTimer: NodeJS.Timeout | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  /** Set once the group was seen empty: never signal that pgid again (the number could be reused). */
  #groupGone = false;

  /**
   * Spawns the process, held before its command runs (call `start()`); rejects with the spawn error (ENOENT,
   * EACCES, ...) if the command could not be started.
   */
  static async spawn(spec: TerminalSpawnSpec): Promise<TerminalProcess> {
    await checkExecutable(spec.file, spec.env.PATH, spec.cwd);
    const child = spawn(SHELL, ['-c', waitingRoom(spec.env), 'aintegrix-terminal', spec.file, ...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      shell: false,
      detached: true, // setsid(): the command and everything it starts share a process group we can kill as one
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    // Listeners are attached before any event can be delivered, so no output or exit is missed.
    const terminal = new TerminalProcess(child, spec.outputByteLimit);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return terminal;
  }

  private constructor(child: ChildProcess, outputByteLimit: number) {
    this.#child = child;
    this.output = new OutputBuffer(outputByteLimit);
    this.exited = new Promise((resolve) => (this.#resolveExited = resolve));
    const append = (chunk: Buffer): void => this.output.append(chunk);
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    child.on('error', () => undefined); // spawn errors are handled by spawn(); nothing else is expected here
    child.stdio[3]?.on('error', () => undefined); // the waiting room's pipe: closed by the other side once it execs
    child.on('exit', (exitCode, signal) => {
      this.#drainTimer = setTimeout(() => this.#settle({ exitCode, signal }), STDIO_DRAIN_MS);
    });
    child.on('close', (exitCode, signal) => {
      this.#stdioClosed = true;
      this.#settle({ exitCode, signal });
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** pid, group and start time, read while the process is held (it cannot have exited yet). */
  identity(): ProcessIdentity {
    return { pid: this.pid, pgid: this.pid, startTime: processStartTime(this.pid) };
  }

  /** Let the held process exec its command. */
  start(): void {
    (this.#child.stdio[3] as Writable | null)?.end('go\n');
  }

  /** The exit status, once exited (and drained). */
  get status(): TerminalExitStatus | undefined {
    return this.#status;
  }

  snapshot(): OutputSnapshot {
    return this.output.snapshot(this.#stdioClosed);
  }

  /** SIGTERM to the whole process group now; SIGKILL after `graceMs` if any member is still alive. */
  kill(graceMs: number): void {
    this.#signalGroup('SIGTERM');
    if (this.#killTimer !== undefined) return;
    this.#killTimer = setTimeout(() => {
      this.#killTimer = undefined;
      if (this.#signalGroup(0)) this.#signalGroup('SIGKILL');
    }, graceMs);
  }

  /**
   * kill(graceMs), then wait until the process exited and its group is empty, at most `boundMs`. Finally closes
   * our ends of the pipes. Resolves true when everything was seen gone.
   */
  async terminate(graceMs: number, boundMs: number): Promise<boolean> {
    if (this.#signalGroup(0)) this.kill(graceMs);
    const deadline = Date.now() + boundMs;
    let gone = false;
    while (Date.now() < deadline) {
      if (this.#status !== undefined && !(await this.#groupAlive())) {
        gone = true;
        break;
      }
      await new Promise((r) => setTimeout(r, GONE_POLL_MS));
    }
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
    return gone;
  }

  async #groupAlive(): Promise<boolean> {
    const pid = this.#child.pid;
    if (this.#groupGone || pid === undefined) return false;
    return groupHasLiveMember(pid);
  }

  #settle(status: TerminalExitStatus): void {
    if (this.#status !== undefined) return;
    clearTimeout(this.#drainTimer);
    this.#status = status;
    this.#resolveExited(status);
  }

  /** process.kill on the group (negative pid); false when the group no longer exists. 0 = existence probe. */
  #signalGroup(signal: NodeJS.Signals | 0): boolean {
    const pid = this.#child.pid;
    if (this.#groupGone || pid === undefined) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch (e) {
      if (errnoCode(e) === 'ESRCH') this.#groupGone = true;
      return false;
    }
  }
}
