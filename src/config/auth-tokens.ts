// The bearer tokens the auth layer accepts. AINTEGRIX_API_KEY is read from the environment at this point and never
// stored in the config, so the config can be logged or recorded without a secret the operator did not write there.
// The key may instead come from a file (AINTEGRIX_API_KEY_FILE, or auth.api_key_file): then it is in no process
// environment at all. A variable deleted from process.env stays readable in /proc/<pid>/environ (the kernel keeps
// the initial environment), so a file is the only way to keep the key out of it; the sandbox's PID namespace is what
// keeps agents from reading either.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Env } from './expand-env.js';
import { API_KEY_TOKEN_NAME } from './cross-check.js';
import { ConfigError } from './errors.js';
import { SCOPES, type AintegrixConfig, type AuthToken } from './schema.js';

export const ENV_API_KEY = 'AINTEGRIX_API_KEY';
export const ENV_API_KEY_FILE = 'AINTEGRIX_API_KEY_FILE';

/** The file the API key is read from: AINTEGRIX_API_KEY_FILE, else auth.api_key_file; absolute. */
export function apiKeyFile(config: AintegrixConfig, env: Env): string | undefined {
  const fromEnv = env[ENV_API_KEY_FILE];
  const file = fromEnv !== undefined && fromEnv !== '' ? fromEnv : config.auth.api_key_file;
  return file === undefined ? undefined : resolve(file);
}

/**
 * `auth.tokens`, plus `{ name: 'api-key', token }` from AINTEGRIX_API_KEY or from the API key file. The key has no
 * minimum length (the original's tests use short keys such as "test-key"); configured tokens must have at least 16
 * characters. An empty list means no token can authenticate (fail closed). Throws ConfigError when both a variable
 * and a file are given, or the file cannot be read or is empty.
 * The key holds every scope; a configured token keeps `scopes` unset when the config sets none (the gateway then
 * grants all of them, and says so at start).
 */
export function resolveAuthTokens(config: AintegrixConfig, env: Env): AuthToken[] {
  const tokens: AuthToken[] = config.auth.tokens.map((t) => ({ name: t.name, token: t.token, ...(t.scopes ? { scopes: t.scopes } : {}) }));
  const apiKey = env[ENV_API_KEY];
  const file = apiKeyFile(config, env);
  if (apiKey !== undefined && apiKey !== '' && file !== undefined) {
    throw new ConfigError([{ subject: `environment variable ${ENV_API_KEY}`, message: `set either it or an API key file (${ENV_API_KEY_FILE} or auth.api_key_file), not both` }]);
  }
  if (file !== undefined) tokens.push({ name: API_KEY_TOKEN_NAME, token: readKeyFile(file), scopes: [...SCOPES] });
  else if (apiKey !== undefined && apiKey !== '') tokens.push({ name: API_KEY_TOKEN_NAME, token: apiKey, scopes: [...SCOPES] });
  return tokens;
}

function readKeyFile(file: string): string {
  let key: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    key = readFileSync(file, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([{ subject: `API key file ${file}`, message: `cannot be read: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}` }]);
  }
  if (key === '') throw new ConfigError([{ subject: `API key file ${file}`, message: 'is empty' }]);
  return key;
}
