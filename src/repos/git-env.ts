// The environment git runs in when the gateway clones: the hardening terminals get (no hooks, no fsmonitor, no
// ext:: transport), no prompts (a missing credential fails instead of waiting on a terminal nobody watches), and the
// token as an http.extraHeader in GIT_CONFIG_* variables: never in argv (the process list), never in a URL (git
// prints URLs in its errors). The header is only set for URLs on git.base_url's host, and redirects are not followed
// then, so the token cannot be carried to another host.
import { withGitHardening } from '../workspace/git-hardening.js';
import type { GitConfig } from '../config/schema.js';

const BASE_KEYS = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER', 'SSH_AUTH_SOCK'];

export function gitCloneEnv(gatewayEnv: Readonly<Record<string, string | undefined>>, git: GitConfig, sendToken: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of BASE_KEYS) {
    const v = gatewayEnv[k];
    if (v !== undefined) env[k] = v;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_ASKPASS = 'true'; // answers nothing: git fails on a missing credential rather than asking
  env.SSH_ASKPASS = 'true';
  env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
  env.GIT_CONFIG_NOSYSTEM = '1';
  const extra: [string, string][] = [['protocol.file.allow', git.allow_file_urls ? 'always' : 'never']];
  const header = authHeader(git);
  if (sendToken && header) extra.push(['http.extraHeader', header], ['http.followRedirects', 'false']);
  extra.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  env.GIT_CONFIG_COUNT = String(extra.length);
  return withGitHardening(env);
}

/** `Authorization: Basic base64(username:token)`, or undefined without a token. */
export function authHeader(git: GitConfig): string | undefined {
  if (!git.token) return undefined;
  return `Authorization: Basic ${Buffer.from(`${git.username}:${git.token}`).toString('base64')}`;
}

/** The forms a secret of the config could take in git's output, to be scrubbed from anything shown or recorded. */
export function secretForms(git: GitConfig): string[] {
  if (!git.token) return [];
  return [git.token, Buffer.from(`${git.username}:${git.token}`).toString('base64'), encodeURIComponent(git.token)];
}

/** `text` with every secret form, and any `user:password@` of a URL, replaced. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}
