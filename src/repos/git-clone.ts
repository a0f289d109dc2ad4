// `git clone --depth 1 [--branch B] -- URL DIR`, spawned asynchronously (the event loop keeps serving), in its own
// process group so a timeout or an oversized checkout kills git and its transport helpers together. Whatever goes
// wrong, the directory is removed: nothing is left on disk. The errors are the API's: 504 clone_timeout,
// 413 repo_too_large, 502 clone_failed with git's stderr tail (secrets scrubbed).
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { GitConfig } from '../config/schema.js';
import { HttpError } from '../errors/http-error.js';
import { TailBuffer } from '../acp/tail-buffer.js';
import { gitCloneEnv, scrub, secretForms } from './git-env.js';
import type { RepoSpec } from './repo-spec.js';
import { treeBytes } from './tree-bytes.js';

export interface CloneResult {
  url: string;
  /** the branch checked out (the remote's default when none was asked for) */
  branch: string;
  head: string;
  bytes: number;
}

/** How often the checkout is measured while git writes it. */
const SIZE_POLL_MS = 200;

export async function cloneRepo(spec: RepoSpec, dir: string, git: GitConfig, gatewayEnv: Readonly<Record<string, string | undefined>>): Promise<CloneResult> {
  const env = gitCloneEnv(gatewayEnv, git, spec.sendToken);
  const secrets = secretForms(git);
  try {
    const args = ['clone', '--depth', '1', '--no-tags', ...(spec.branch ? ['--branch', spec.branch] : []), '--', spec.url, dir];
    await runClone(args, dir, env, git, secrets);
    const bytes = await treeBytes(dir);
    if (bytes > git.max_clone_bytes) throw tooLarge(git);
    const head = (await gitOutput(['rev-parse', 'HEAD'], dir, env)).trim();
    const branch = spec.branch ?? (await gitOutput(['rev-parse', '--abbrev-ref', 'HEAD'], dir, env)).trim();
    return { url: spec.display, branch, head, bytes };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

function runClone(args: string[], dir: string, env: Record<string, string>, git: GitConfig, secrets: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr = new TailBuffer(8192);
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    let failure: HttpError | undefined;
    const kill = (why: HttpError) => {
      failure ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(
      () => kill(new HttpError(504, 'clone_timeout', `the clone did not finish within ${git.clone_timeout_secs}s (git.clone_timeout_secs)`)),
      git.clone_timeout_secs * 1000,
    );
    let measuring = false;
    const poll = setInterval(() => {
      if (measuring) return;
      measuring = true;
      treeBytes(dir)
        .then((n) => {
          if (n > git.max_clone_bytes) kill(tooLarge(git));
        })
        .catch(() => undefined)
        .finally(() => (measuring = false));
    }, SIZE_POLL_MS);
    const done = (err?: Error) => {
      clearTimeout(timer);
      clearInterval(poll);
      if (err) reject(err);
      else resolve();
    };
    child.on('error', (e) => done(new HttpError(502, 'clone_failed', `git could not be started: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (failure) return done(failure);
      if (code === 0) return done();
      const tail = scrub(stderr.text().trim(), secrets).slice(-2000);
      const how = signal ? `signal ${signal}` : `code ${code}`;
      done(new HttpError(502, 'clone_failed', `git clone failed (${how}): ${tail.split('\n').slice(-3).join(' | ')}`, {}, { stderr_tail: tail }));
    });
  });
}

function gitOutput(args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new HttpError(502, 'clone_failed', `git ${args[0]} failed after the clone`))));
  });
}

function tooLarge(git: GitConfig): HttpError {
  return new HttpError(413, 'repo_too_large', `the checkout is larger than ${git.max_clone_bytes} bytes (git.max_clone_bytes)`);
}
