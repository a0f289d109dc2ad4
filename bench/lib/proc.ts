// Child processes of the bench: servers, load generators and workers, each a separate process, pinned with
// `taskset -c <cpu>` when taskset exists (servers on CPU 0, load generators on CPU 1: runtime-tech.md §4).
// Children of a pinned process (the agents a gateway spawns) inherit its CPU.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';

export interface Tools {
  taskset: boolean;
  /** path of wrk when installed */
  wrk: string | null;
  cpus: number;
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out ? out : null;
}

export function detectTools(): Tools {
  return { taskset: which('taskset') !== null, wrk: which('wrk'), cpus: availableParallelism() };
}

/** CPU for servers (the gateway and every baseline server, and the agents they spawn). */
export const SERVER_CPU = 0;
/** CPU for load generators and clients. */
export const CLIENT_CPU = 1;

/** The command line that runs `cmd args` on `cpu` (a CPU or a list like '0,1'; unpinned without taskset or with one CPU). */
export function pinned(tools: Tools, cpu: number | string | null, cmd: string, args: readonly string[]): [string, string[]] {
  if (cpu === null || !tools.taskset || tools.cpus < 2) return [cmd, [...args]];
  return ['taskset', ['-c', String(cpu), cmd, ...args]];
}

export interface StartOptions {
  cpu?: number | string | null;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

const TAIL_BYTES = 16 * 1024;

/** A started child with its output collected (stdout in full, stderr's tail). */
export class Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout = '';
  private stderrTail = '';
  private readonly lineWaiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  private readonly stderrWaiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];

  constructor(tools: Tools, cmd: string, args: readonly string[], o: StartOptions = {}) {
    const [c, a] = pinned(tools, o.cpu ?? null, cmd, args);
    this.proc = spawn(c, a, { env: o.env ?? process.env, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    this.proc.stdout!.setEncoding('utf8');
    this.proc.stdout!.on('data', (d: string) => {
      this.stdout += d;
      this.checkWaiters();
    });
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-TAIL_BYTES);
      for (let i = this.stderrWaiters.length - 1; i >= 0; i--) {
        const m = this.stderrTail.match(this.stderrWaiters[i]!.re);
        if (m) this.stderrWaiters.splice(i, 1)[0]!.resolve(m);
      }
    });
    this.proc.stdin!.on('error', () => undefined);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** Resolve with the first stdout line matching `re` (rejects on exit or timeout). */
  waitLine(re: RegExp, timeoutMs: number, what = String(re)): Promise<RegExpMatchArray> {
    const found = this.stdout.match(re);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      const waiter = {
        re,
        resolve: (m: RegExpMatchArray) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.lineWaiters.push(waiter);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`process exited (code ${code}, signal ${signal}) before ${what}; stderr: ${this.stderr.slice(-2000)}`));
      });
    });
  }

  /** Resolve with the first match of `re` in stderr (e.g. the inspector's URL). */
  waitStderr(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const found = this.stderrTail.match(re);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(re)} on stderr`)), timeoutMs);
      this.stderrWaiters.push({
        re,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Parse the last stdout line that is a JSON object (the result line of a bench worker). */
  lastJson<T>(): T {
    const lines = this.stdout.trim().split('\n').reverse();
    for (const l of lines) {
      if (l.startsWith('{')) return JSON.parse(l) as T;
    }
    throw new Error(`no JSON result on stdout; stderr: ${this.stderr.slice(-2000)}`);
  }

  /** SIGTERM (then SIGKILL after `graceMs`), and wait for the exit. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private checkWaiters(): void {
    for (let i = this.lineWaiters.length - 1; i >= 0; i--) {
      const m = this.stdout.match(this.lineWaiters[i]!.re);
      if (m) this.lineWaiters.splice(i, 1)[0]!.resolve(m);
    }
  }
}

/** Run a worker to completion and return its JSON result line. */
export async function runJson<T>(tools: Tools, cmd: string, args: readonly string[], o: StartOptions & { timeoutMs?: number } = {}): Promise<T> {
  const child = new Child(tools, cmd, args, o);
  const timeout = setTimeout(() => child.proc.kill('SIGKILL'), o.timeoutMs ?? 600_000);
  const { code, signal } = await child.exited;
  clearTimeout(timeout);
  if (code !== 0) throw new Error(`${[cmd, ...args].join(' ').slice(0, 300)} failed (code ${code}, signal ${signal}): ${child.stderr.slice(-3000)}`);
  return child.lastJson<T>();
}

/** Resident set size of a process (VmRSS), KiB. */
export function rssKiB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** CPU time (user + system) a process has used so far, seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // clock ticks (USER_HZ = 100 on Linux)
}

/** The soft limit on open files of this process (children inherit it). */
export function openFileLimit(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

/** Pids whose parent is `ppid` (from /proc). */
export function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid && fields[0] !== 'Z') out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
