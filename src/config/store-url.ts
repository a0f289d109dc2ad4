// Where the postgres store's URL comes from: AINTEGRIX_STORE_URL, else the file store.url_file, else store.url.
// A URL may hold a password, so a file (or the variable) keeps it out of the config; it is never logged (the log
// names host, port and database only: describePostgresUrl) and never reaches an agent's environment.
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from './errors.js';
import type { AintegrixConfig } from './schema.js';

export const ENV_STORE_URL = 'AINTEGRIX_STORE_URL';

const POSTGRES_URL = /^postgres(ql)?:\/\/./;

type Env = Readonly<Record<string, string | undefined>>;

/** The URL of the postgres store, or undefined for the SQLite store. Throws ConfigError when it is missing or bad. */
export function resolveStoreUrl(config: Pick<AintegrixConfig, 'store'>, env: Env): string | undefined {
  if (config.store.kind !== 'postgres') return undefined;
  const fromEnv = env[ENV_STORE_URL];
  let url: string | undefined;
  let subject: string;
  if (fromEnv !== undefined && fromEnv !== '') {
    url = fromEnv.trim();
    subject = `environment variable ${ENV_STORE_URL}`;
  } else if (config.store.url_file !== undefined) {
    const file = config.store.url_file;
    subject = `store URL file ${file}`;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      url = readFileSync(file, 'utf8').trim();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ConfigError([{ subject, message: `cannot be read: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}` }]);
    }
  } else {
    url = config.store.url;
    subject = 'store.url';
  }
  if (url === undefined || url === '') {
    throw new ConfigError([{ subject: 'store.kind', message: `postgres needs a server: set store.url, store.url_file or ${ENV_STORE_URL}` }]);
  }
  // the value itself is never repeated in the message: it may hold a password
  if (!POSTGRES_URL.test(url)) throw new ConfigError([{ subject, message: 'expected a postgres:// URL (postgres://user@host:5432/database)' }]);
  return url;
}
