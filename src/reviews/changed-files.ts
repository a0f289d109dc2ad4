// The files a merge request changes, read from the review's clone: the target branch's tip is fetched (depth 1)
// next to the source branch's and the two trees are compared (`git diff --name-only`). A shallow clone has no merge
// base, so this lists what differs between the two tips: the request's changes, plus whatever the target gained since
// the source branched off. git runs with the clone's hardened environment (the token only for git.base_url's host).
import { spawn } from 'node:child_process';
import type { GitConfig } from '../config/schema.js';
import { parseRepoSpec } from '../repos/repo-spec.js';
import { gitCloneEnv, scrub, secretForms } from '../repos/git-env.js';

/** At most this many files are listed in the event and the prompt. */
export const MAX_CHANGED_FILES = 500;

export interface ChangedFiles {
  files: string[];
  truncated: boolean;
  /** why the files could not be listed (the review goes on without them) */
  error?: string;
}

export async function changedFiles(
  workspace: string,
  target: { url: string; branch: string },
  git: GitConfig,
  gatewayEnv: Readonly<Record<string, string | undefined>>,
): Promise<ChangedFiles> {
  try {
    const spec = parseRepoSpec(target.url, target.branch, git);
    const env = gitCloneEnv(gatewayEnv, git, spec.sendToken);
    const timeoutMs = git.clone_timeout_secs * 1000;
    await runGit(['fetch', '--depth', '1', '--no-tags', '--', spec.url, target.branch], workspace, env, timeoutMs);
    const out = await runGit(['diff', '--name-only', '-z', 'FETCH_HEAD', 'HEAD'], workspace, env, timeoutMs);
    const files = out.split('\0').filter((f) => f !== '');
    return { files: files.slice(0, MAX_CHANGED_FILES), truncated: files.length > MAX_CHANGED_FILES };
  } catch (e) {
    return { files: [], truncated: false, error: scrub((e as Error).message, secretForms(git)).slice(0, 1000) };
  }
}

function runGit(args: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString('utf8')).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`git ${args[0]} failed (${signal ? `signal ${signal}` : `code ${code}`}): ${err.trim().split('\n').slice(-2).join(' | ')}`));
    });
  });
}
