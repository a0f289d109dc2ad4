// The environment of a terminal process: the session's base environment plus what the agent asked for, except
// variables that inject code into (or change the start-up of) every program the command runs. A permission policy
// approves commands by what they are ("npm test"); LD_PRELOAD=/tmp/x.so or NODE_OPTIONS=--require=... would turn
// an approved command into arbitrary code, so such entries make terminal/create fail with 'invalid_params'
// (refused loudly rather than dropped silently, so the agent learns why). The same goes for the variables that name
// a program an allowed command would run (EDITOR, PAGER, GIT_*: GIT_SSH_COMMAND, GIT_DIR, GIT_CONFIG_*), and every
// terminal gets git's program-running settings switched off (git-hardening.ts). PATH is allowed: overriding it is
// common and legitimate (node_modules/.bin); the command itself is found on the fixed command path
// (terminal-manager.ts), the one permission rules resolve it on.
import { TerminalError } from './errors.js';
import { withGitHardening } from './git-hardening.js';

/** Exact names (compared case-insensitively) an agent may not set. */
export const DENIED_ENV_NAMES: readonly string[] = [
  'NODE_OPTIONS',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'PROMPT_COMMAND',
  'PERL5OPT',
  'RUBYOPT',
  'PYTHONSTARTUP',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'GCONV_PATH',
  'EDITOR',
  'VISUAL',
  'PAGER',
  'SSH_ASKPASS',
];
/** Prefixes an agent may not set: the dynamic loader's variables, bash exported functions, git's settings. */
export const DENIED_ENV_PREFIXES: readonly string[] = ['LD_', 'DYLD_', 'BASH_FUNC_', 'GIT_'];

export interface EnvEntry {
  name: string;
  value: string;
}

export function isDeniedEnvName(name: string, deniedNames: readonly string[] = DENIED_ENV_NAMES): boolean {
  const upper = name.toUpperCase();
  return deniedNames.some((d) => d.toUpperCase() === upper) || DENIED_ENV_PREFIXES.some((p) => upper.startsWith(p));
}

/**
 * baseEnv overlaid with `requested`, then git's hardening settings; throws TerminalError('invalid_params') for a
 * denied or malformed entry.
 */
export function buildTerminalEnv(
  baseEnv: Readonly<Record<string, string>>,
  requested: readonly EnvEntry[] | undefined,
  deniedNames: readonly string[] = DENIED_ENV_NAMES,
): Record<string, string> {
  const env: Record<string, string> = { ...baseEnv };
  for (const { name, value } of requested ?? []) {
    if (name.length === 0 || name.includes('=') || name.includes('\0') || value.includes('\0')) {
      throw new TerminalError('invalid_params', `invalid environment entry: ${JSON.stringify(name)}`);
    }
    if (isDeniedEnvName(name, deniedNames)) {
      throw new TerminalError('invalid_params', `environment variable ${name} may not be set by the agent`);
    }
    env[name] = value;
  }
  return withGitHardening(env);
}
