// The shared secret GitLab sends back (X-Gitlab-Token) and GitHub signs with (X-Hub-Signature-256): from
// AINTEGRIX_WEBHOOK_SECRET, or from a file (AINTEGRIX_WEBHOOK_SECRET_FILE, else webhooks.secret_file), as the API key
// (config/auth-tokens.ts): a file keeps it out of every process environment. Without one, the webhook route answers
// 503 webhooks_disabled. It is never stored in the config, the log or an agent's environment.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { AintegrixConfig } from '../config/index.js';

export const ENV_WEBHOOK_SECRET = 'AINTEGRIX_WEBHOOK_SECRET';
export const ENV_WEBHOOK_SECRET_FILE = 'AINTEGRIX_WEBHOOK_SECRET_FILE';

type Env = Readonly<Record<string, string | undefined>>;

/** The file the secret is read from: AINTEGRIX_WEBHOOK_SECRET_FILE, else webhooks.secret_file; absolute. */
export function webhookSecretFile(config: AintegrixConfig, env: Env): string | undefined {
  const fromEnv = env[ENV_WEBHOOK_SECRET_FILE];
  const file = fromEnv !== undefined && fromEnv !== '' ? fromEnv : config.webhooks.secret_file;
  return file === undefined ? undefined : resolve(file);
}

/** The secret, or undefined when none is configured. Throws ConfigError when both forms are given or the file is bad. */
export function resolveWebhookSecret(config: AintegrixConfig, env: Env): string | undefined {
  const value = env[ENV_WEBHOOK_SECRET];
  const file = webhookSecretFile(config, env);
  if (value !== undefined && value !== '' && file !== undefined) {
    throw new ConfigError([{ subject: `environment variable ${ENV_WEBHOOK_SECRET}`, message: `set either it or a secret file (${ENV_WEBHOOK_SECRET_FILE} or webhooks.secret_file), not both` }]);
  }
  if (file === undefined) return value === undefined || value === '' ? undefined : value;
  let secret: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    secret = readFileSync(file, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([{ subject: `webhook secret file ${file}`, message: `cannot be read: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}` }]);
  }
  if (secret === '') throw new ConfigError([{ subject: `webhook secret file ${file}`, message: 'is empty' }]);
  return secret;
}
