// The bearer tokens the auth layer accepts. AINTEGRIX_API_KEY is read from the environment at this point and never
// stored in the config, so the config can be logged or recorded without a secret the operator did not write there.
import type { Env } from './expand-env.js';
import { API_KEY_TOKEN_NAME } from './cross-check.js';
import { SCOPES, type AintegrixConfig, type AuthToken } from './schema.js';

export const ENV_API_KEY = 'AINTEGRIX_API_KEY';

/**
 * `auth.tokens`, plus `{ name: 'api-key', token: env.AINTEGRIX_API_KEY }` when that variable is set and non-empty.
 * The environment key has no minimum length (the original's tests use short keys such as "test-key"); configured
 * tokens must have at least 16 characters. An empty list means no token can authenticate (fail closed).
 * The environment key holds every scope; a configured token keeps `scopes` unset when the config sets none (the
 * gateway then grants all of them, and says so at start).
 */
export function resolveAuthTokens(config: AintegrixConfig, env: Env): AuthToken[] {
  const tokens: AuthToken[] = config.auth.tokens.map((t) => ({ name: t.name, token: t.token, ...(t.scopes ? { scopes: t.scopes } : {}) }));
  const apiKey = env[ENV_API_KEY];
  if (apiKey !== undefined && apiKey !== '') tokens.push({ name: API_KEY_TOKEN_NAME, token: apiKey, scopes: [...SCOPES] });
  return tokens;
}
