// What a client may name as a repository, checked before git runs: `repo` is a URL (https, http, ssh, file when
// git.allow_file_urls) or `owner/name` resolved against git.base_url; neither `repo` nor `branch` may start with
// `-` (git would read it as an option), hold `..`, whitespace or control characters. Credentials in a URL are refused:
// they would reach the log and the process list; the token comes from the config.
import { HttpError } from '../errors/http-error.js';
import type { GitConfig } from '../config/schema.js';

export interface RepoSpec {
  /** what git clones */
  url: string;
  /** the branch asked for, or undefined for the remote's default */
  branch: string | undefined;
  /** the URL as recorded and shown (it never holds credentials) */
  display: string;
  /** the token may be sent: the URL is http(s) on base_url's host */
  sendToken: boolean;
}

const OWNER_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
/** git's scp-like ssh form, user@host:path; the host starts with a letter or digit (never an ssh option) */
const SCP_LIKE = /^[A-Za-z0-9_.-]+@[A-Za-z0-9][A-Za-z0-9.-]*:[A-Za-z0-9_.][A-Za-z0-9_./-]*$/;
const SCHEMES = new Set(['https:', 'http:', 'ssh:', 'file:']);

export function parseRepoSpec(repo: string, branch: string | undefined, git: GitConfig): RepoSpec {
  refuseUnsafe('repo', repo);
  if (branch !== undefined) {
    refuseUnsafe('branch', branch);
    if (branch.endsWith('.lock') || /[~^:?*[\\]|@\{/.test(branch) || branch.startsWith('/') || branch.endsWith('/')) {
      throw bad(`branch: '${branch}' is not a valid branch name`);
    }
  }
  if (SCP_LIKE.test(repo)) return { url: repo, branch, display: repo, sendToken: false };
  const url = OWNER_NAME.test(repo) && !repo.includes('://') ? joinBase(git.base_url, repo) : repo;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(`repo: expected a URL (https://, ssh://, file://) or owner/name, got '${repo}'`);
  }
  if (!SCHEMES.has(parsed.protocol)) throw bad(`repo: the scheme '${parsed.protocol}' is not supported (https, http, ssh, file)`);
  if (parsed.protocol === 'file:' && !git.allow_file_urls) {
    throw new HttpError(400, 'repo_not_allowed', 'repo: file:// URLs are disabled (git.allow_file_urls)');
  }
  if (parsed.password !== '' || (parsed.username !== '' && parsed.protocol !== 'ssh:')) {
    throw bad('repo: credentials in the URL are not accepted; configure git.token');
  }
  const base = safeUrl(git.base_url);
  const sendToken = (parsed.protocol === 'https:' || parsed.protocol === 'http:') && base !== undefined && parsed.protocol === base.protocol && parsed.host === base.host;
  return { url: parsed.href, branch, display: parsed.href, sendToken };
}

function joinBase(base: string, ownerName: string): string {
  const name = ownerName.endsWith('.git') || base.startsWith('file:') ? ownerName : `${ownerName}.git`;
  return `${base.replace(/\/+$/, '')}/${name}`;
}

function refuseUnsafe(field: string, value: string): void {
  if (value.startsWith('-')) throw bad(`${field}: may not start with '-'`);
  if (value.includes('..')) throw bad(`${field}: may not contain '..'`);
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(value)) throw bad(`${field}: may not contain whitespace or control characters`);
  if (value.length === 0) throw bad(`${field}: may not be empty`);
}

function safeUrl(u: string): URL | undefined {
  try {
    return new URL(u);
  } catch {
    return undefined;
  }
}

function bad(message: string): HttpError {
  return new HttpError(400, 'invalid_repo', message);
}
