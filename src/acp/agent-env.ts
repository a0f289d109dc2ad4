// The environment an agent process gets: an explicit minimal base plus the agent's configured `env`. Never the
// gateway's own secrets: AINTEGRIX_* variables and any value equal to one of our auth tokens are left out, even
// when the config asks for them.
import { withGitHardening } from '../workspace/git-hardening.js';

const BASE_KEYS = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL', 'TERM'];
/** loader tricks are refused in configured env too: they would let a config inject code into every agent */
const REFUSED_KEYS = new Set(['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'DYLD_INSERT_LIBRARIES', 'NODE_OPTIONS']);

export interface AgentEnvInput {
  gatewayEnv: Record<string, string | undefined>;
  configured: Record<string, string>;
  /** token values the gateway accepts; no env value may equal one of them */
  secrets: readonly string[];
}

export interface AgentEnv {
  env: Record<string, string>;
  /** configured keys that were left out, and why (for a warning at start-up) */
  dropped: { key: string; reason: string }[];
}

export function buildAgentEnv(input: AgentEnvInput): AgentEnv {
  const env: Record<string, string> = {};
  const dropped: { key: string; reason: string }[] = [];
  const secretValues = new Set(input.secrets.filter((s) => s.length > 0));
  for (const key of BASE_KEYS) {
    const v = input.gatewayEnv[key];
    if (v !== undefined && !secretValues.has(v)) env[key] = v;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  for (const [key, value] of Object.entries(input.configured)) {
    if (key.startsWith('AINTEGRIX_')) dropped.push({ key, reason: 'gateway variables are never passed to agents' });
    else if (REFUSED_KEYS.has(key)) dropped.push({ key, reason: 'loader variables are not allowed' });
    else if (secretValues.has(value)) dropped.push({ key, reason: 'the value is one of the gateway auth tokens' });
    else env[key] = value;
  }
  // the agent's own shell tool (claude-agent-acp's Bash) runs git too: same switches as terminals
  return { env: withGitHardening(env), dropped };
}

/** ACP's env shape for terminals and MCP servers: [{name, value}] */
export function toEnvList(env: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}
