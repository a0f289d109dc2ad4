// Real git repositories for the clone and routing tests: a source repository with a `main` branch and a `develop`
// branch (each with files of its own), pushed into a bare repository that the gateway clones over file://.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BareRepo {
  /** the parent folder of everything made here */
  root: string;
  /** <root>/acme/tool.git */
  bare: string;
  /** file:// URL of the bare repository */
  url: string;
  /** file:// URL of root: as git.base_url, `acme/tool` names the bare repository */
  baseUrl: string;
  /** head commits of the branches */
  heads: { main: string; develop: string };
  remove(): void;
}

const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: '/nonexistent',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** `files` go on main (path → content); develop adds develop.txt. */
export function makeBareRepo(files: Record<string, string> = { 'README.md': '# demo\n' }): BareRepo {
  const root = mkdtempSync(join(tmpdir(), 'aix-repo-'));
  const src = join(root, 'src');
  mkdirSync(src);
  git(src, 'init', '-q', '-b', 'main');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(src, path)), { recursive: true });
    writeFileSync(join(src, path), content);
  }
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'first');
  const main = git(src, 'rev-parse', 'HEAD');
  git(src, 'checkout', '-q', '-b', 'develop');
  writeFileSync(join(src, 'develop.txt'), 'on develop\n');
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'develop work');
  const develop = git(src, 'rev-parse', 'HEAD');
  git(src, 'checkout', '-q', 'main');
  const bare = join(root, 'acme', 'tool.git');
  git(root, 'clone', '-q', '--bare', src, bare);
  return { root, bare, url: pathToFileURL(bare).href, baseUrl: pathToFileURL(root).href, heads: { main, develop }, remove: () => rmSync(root, { recursive: true, force: true }) };
}
