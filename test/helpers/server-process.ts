// Runs `aintegrix serve` as a real child process and waits for the URL it prints; the config file such a server
// runs with in the restart and crash tests; one API call to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CLI_ENTRY, DEMO_AGENT_ENTRY } from './paths.js';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  token: string | undefined;
  stdout: () => string;
  stderr: () => string;
  /** resolves with the exit code (or signal name) */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL'); // never leave a server behind a failed test
});

export function startServerProcess(args: string[], env: Record<string, string | undefined>, timeoutMs = 15_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'serve', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (err += b));
  running.add(child);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m || !/API tokens?: .*\n/.test(out)) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      const token = /API token: (\S+)/.exec(out)?.[1];
      resolve({
        child,
        url: m[1]!,
        token,
        stdout: () => out,
        stderr: () => err,
        exited,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

/** The bundled demo agent as a config's agent, its store (what it keeps across a restart) in DIR/`store`. */
export function demoAgent(dir: string, more: Record<string, unknown> = {}, store = 'agent-store'): Record<string, unknown> {
  return { command: process.execPath, args: [DEMO_AGENT_ENTRY], env: { DEMO_AGENT_STORE: join(dir, store) }, ...more };
}

export interface DemoServerOptions {
  /** the one API token (named `tester`) */
  token: string;
  /** default: `demo`, the demo agent restarted when it dies (demoAgent(dir, { auto_restart: true })) */
  agents?: Record<string, unknown>;
  /** merged over `port: 0` */
  server?: Record<string, unknown>;
  /** merged over the log in DIR/data with strict durability (a kill -9 loses nothing committed) */
  store?: Record<string, unknown>;
  /** further top-level sections (webhooks, git, limits) */
  extra?: Record<string, unknown>;
}

/**
 * Write DIR/aintegrix.yaml for startServerProcess(['--config', path]) and answer its path: a free port, the log under
 * DIR, the token, every tool call allowed, the demo agent unless `agents` says otherwise. Written again with other
 * options, it is the config of the next start (a restart that changes an agent).
 */
export function demoServerConfig(dir: string, o: DemoServerOptions): string {
  const file = join(dir, 'aintegrix.yaml');
  writeFileSync(
    file,
    stringify({
      server: { port: 0, ...o.server },
      agents: o.agents ?? { demo: demoAgent(dir, { auto_restart: true }) },
      store: { data_dir: join(dir, 'data'), durability: 'strict', ...o.store },
      auth: { tokens: [{ name: 'tester', token: o.token }] },
      permissions: { default: 'allow' },
      ...o.extra,
    }),
  );
  return file;
}

/** One API call to a server process with `token`: the status and the parsed JSON body (undefined when empty). */
export async function callServer(s: ServerProcess, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(s.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** Run the CLI to completion (for commands that exit). */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}
