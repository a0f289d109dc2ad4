// Isolation of candidates that work on a git repository: each gets its own worktree, detached at the repository's
// HEAD, so their edits cannot collide; its result carries what it changed (diff --stat and the diff, capped).
// Worktrees live in workspaces.dir (the data dir's sibling, where the gateway keeps the workspaces it owns: never
// in the data dir itself, which agents must not reach). git runs with the hardened environment (no hooks, no
// fsmonitor, no system or user config), asynchronously.
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { withGitHardening } from '../workspace/git-hardening.js';

export interface Worktree {
  path: string;
  root: string;
  head: string;
}

export interface WorktreeDiff {
  diff_stat: string;
  diff: string;
  diff_truncated: boolean;
}

/** How much of a candidate's diff its result carries. */
export const DIFF_MAX_BYTES = 64 * 1024;

export class GitWorktrees {
  private readonly env: Record<string, string>;

  constructor(
    /** where worktrees are made: <workspaces.dir>/orchestrations */
    private readonly baseDir: string,
    gatewayEnv: Readonly<Record<string, string | undefined>>,
  ) {
    this.env = withGitHardening({
      PATH: gatewayEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: '/nonexistent',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_OPTIONAL_LOCKS: '0',
      GIT_TERMINAL_PROMPT: '0',
    });
  }

  /** The top of the repository when `dir` is a git work tree's top level, else undefined (a plain folder). */
  async repositoryAt(dir: string): Promise<string | undefined> {
    const r = await this.git(['rev-parse', '--show-toplevel'], dir);
    if (r.code !== 0) return undefined;
    const head = await this.git(['rev-parse', '--verify', '-q', 'HEAD'], dir);
    return head.code === 0 ? r.out.trim() : undefined; // a repository without a commit has nothing to detach at
  }

  /** A detached worktree of `root` at its HEAD for candidate `label` of orchestration `id`. */
  async add(root: string, id: string, label: string): Promise<Worktree> {
    const dir = join(this.baseDir, id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, label);
    const r = await this.git(['worktree', 'add', '--detach', path, 'HEAD'], root);
    if (r.code !== 0) throw new Error(`git worktree add failed: ${r.err.trim().slice(-500)}`);
    const head = (await this.git(['rev-parse', 'HEAD'], path)).out.trim();
    return { path, root, head };
  }

  /** What the candidate changed, untracked files included (staged in the worktree's own index only). */
  async diff(w: Worktree): Promise<WorktreeDiff> {
    await this.git(['add', '-A'], w.path);
    const stat = await this.git(['diff', '--cached', '--stat', w.head], w.path);
    const full = await this.git(['diff', '--cached', w.head], w.path, DIFF_MAX_BYTES + 1);
    const truncated = Buffer.byteLength(full.out) > DIFF_MAX_BYTES;
    return { diff_stat: stat.out.trimEnd(), diff: truncated ? Buffer.from(full.out).subarray(0, DIFF_MAX_BYTES).toString('utf8') : full.out, diff_truncated: truncated };
  }

  /** Remove the worktrees of orchestration `id` (git's record of them too). */
  async removeAll(id: string, worktrees: readonly Worktree[]): Promise<void> {
    for (const w of worktrees) {
      await this.git(['worktree', 'remove', '--force', w.path], w.root);
      await rm(w.path, { recursive: true, force: true });
    }
    for (const root of new Set(worktrees.map((w) => w.root))) await this.git(['worktree', 'prune'], root);
    await rm(join(this.baseDir, id), { recursive: true, force: true });
  }

  private git(args: string[], cwd: string, maxOut = 1024 * 1024): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      const child = spawn('git', args, { cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => {
        if (out.length <= maxOut) out += b.toString('utf8');
      });
      child.stderr.on('data', (b: Buffer) => {
        if (err.length < 8192) err += b.toString('utf8');
      });
      child.on('error', (e) => resolve({ code: -1, out, err: e.message }));
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    });
  }
}
