// Files that make tools run code: written by an agent, they turn the next `git status`, `npm test` or `cd` of an
// allowed command (or of the user, later) into whatever the agent wrote: .git/config's core.fsmonitor, hooks,
// direnv's .envrc, package managers' rc files. Writing them is denied by default (permissions.protected_paths);
// reading them is not. An explicit rule naming such a path (a `path` glob that matches it) opens it up.
import { compileGlob } from './glob.js';

/** The default of permissions.protected_paths: path globs, tried on the workspace-relative and absolute forms. */
export const DEFAULT_PROTECTED_PATHS: readonly string[] = [
  '**/.git/**', // the repository's config, hooks, info/attributes; also a `.git` FILE (gitdir: elsewhere)
  '**/.githooks/**',
  '**/.husky/**',
  '**/.pre-commit-config.yaml',
  '**/.envrc',
  '**/.direnv/**',
  '**/.npmrc', // script-shell, node-options
  '**/.yarnrc',
  '**/.yarnrc.yml', // yarnPath: a script run by every yarn command
  '**/.pnpmfile.cjs',
  '**/bunfig.toml', // preload scripts
  '**/.cargo/config',
  '**/.cargo/config.toml', // build.rustc-wrapper, target runners
  '**/.vscode/settings.json',
  '**/.vscode/tasks.json', // tasks that run when the folder is opened
];

/** Tool kinds of a session/request_permission that only look: they never count as writing a protected path. */
const LOOKING_KINDS: ReadonlySet<string> = new Set(['read', 'search', 'think', 'fetch']);

/** Does this request write (or may it write) the paths it names? */
export function writesPaths(method: string, kind: string | undefined): boolean {
  if (method === 'fs/write_text_file') return true;
  if (method === 'session/request_permission') return kind === undefined || !LOOKING_KINDS.has(kind);
  return false;
}

/** The first protected glob that one of `forms` (rule path forms of the touched paths) matches. */
export function protectedMatch(globs: readonly string[], forms: readonly string[]): string | undefined {
  for (const glob of globs) {
    const matches = compileGlob(glob);
    if (forms.some(matches)) return glob;
  }
  return undefined;
}
