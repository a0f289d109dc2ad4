// Runs `aintegrix serve` as a real child process and waits for the URL it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_ENTRY } from './paths.js';

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
