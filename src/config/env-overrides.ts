// Environment variables that override the config (file or embedded default). They are validated here, so an error
// names the variable, and then written into the raw tree before the schema runs (which fills in the rest).
//   AINTEGRIX_HOST      → server.host
//   AINTEGRIX_PORT      → server.port (an integer 1..65535)
//   AINTEGRIX_DATA_DIR  → store.data_dir (store.path follows it unless store.path is set explicitly)
// An empty value counts as unset. AINTEGRIX_API_KEY is deliberately NOT stored in the config: see resolveAuthTokens.
import type { ConfigProblem } from './errors.js';
import { isPlainObject, type Env } from './expand-env.js';
import { describeValue } from './issues.js';

export const ENV_HOST = 'AINTEGRIX_HOST';
export const ENV_PORT = 'AINTEGRIX_PORT';
export const ENV_DATA_DIR = 'AINTEGRIX_DATA_DIR';

export interface OverrideResult {
  config: Record<string, unknown>;
  problems: ConfigProblem[];
}

export function applyEnvOverrides(raw: Record<string, unknown>, env: Env): OverrideResult {
  const config: Record<string, unknown> = { ...raw };
  const problems: ConfigProblem[] = [];
  const set = (section: string, key: string, value: unknown): void => {
    const current = config[section];
    // A section that is not a map is left alone: the schema reports it at its line.
    if (current === undefined) config[section] = { [key]: value };
    else if (isPlainObject(current)) config[section] = { ...current, [key]: value };
  };

  const host = nonEmpty(env[ENV_HOST]);
  if (host !== undefined) {
    if (/\s/.test(host)) problems.push(envProblem(ENV_HOST, `expected a host name or IP address, got ${describeValue(host)}`));
    else set('server', 'host', host);
  }

  const port = nonEmpty(env[ENV_PORT]);
  if (port !== undefined) {
    const n = /^\d+$/.test(port.trim()) ? Number(port.trim()) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      problems.push(envProblem(ENV_PORT, `expected a port number from 1 to 65535, got ${describeValue(port)}`));
    } else set('server', 'port', n);
  }

  const dataDir = nonEmpty(env[ENV_DATA_DIR]);
  if (dataDir !== undefined) set('store', 'data_dir', dataDir);

  return { config, problems };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function envProblem(name: string, message: string): ConfigProblem {
  return { subject: `environment variable ${name}`, message };
}
