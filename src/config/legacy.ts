// The original aintegrix's config keys that have a replacement here. Each is accepted with ONE warning that names
// what replaces it; nothing is silently ignored.
//   server.auth          → ignored; auth.tokens or the AINTEGRIX_API_KEY environment variable
//   persistence.path     → used as store.path when store.path is not set (friendlier than ignoring it)
//   logging              → ignored; logs are JSON lines on stderr, the level comes from AINTEGRIX_LOG_LEVEL
//   permissions (old)    → default_policy/auto_approve/require_approval/always_deny translated into the new policy:
//                          always_deny → deny rules, auto_approve → allow rules, require_approval → ask rules (in that
//                          order, since the first matching rule decides), each matching the ACP method by name;
//                          default_policy approve|allow → default allow, anything else (or absent) → default deny.
//                          Mixing old and new keys in one permissions block is an error.
import type { ConfigProblem, KeyPath } from './errors.js';
import { isPlainObject } from './expand-env.js';
import { describeValue } from './issues.js';

/** The environment variable that sets the log level (read by the logger, not stored in the config). */
export const LOG_LEVEL_ENV = 'AINTEGRIX_LOG_LEVEL';

const OLD_PERMISSION_KEYS = ['default_policy', 'auto_approve', 'require_approval', 'always_deny'] as const;
const NEW_PERMISSION_KEYS = ['default', 'approval_timeout_secs', 'rules'] as const;
const OLD_LISTS = [
  ['always_deny', 'deny'],
  ['auto_approve', 'allow'],
  ['require_approval', 'ask'],
] as const;

export interface LegacyResult {
  config: Record<string, unknown>;
  warnings: ConfigProblem[];
  problems: ConfigProblem[];
}

/** Returns a copy of the (expanded) config tree with the legacy keys removed or translated. */
export function translateLegacy(raw: Record<string, unknown>): LegacyResult {
  const config: Record<string, unknown> = { ...raw };
  const warnings: ConfigProblem[] = [];
  const problems: ConfigProblem[] = [];

  const server = config['server'];
  if (isPlainObject(server) && Object.hasOwn(server, 'auth')) {
    const { auth, ...rest } = server;
    const tokenEnv = isPlainObject(auth) ? auth['token_env'] : undefined;
    const extra = typeof tokenEnv === 'string' && tokenEnv !== 'AINTEGRIX_API_KEY' ? ` (token_env "${tokenEnv}" is not read)` : '';
    warnings.push({
      path: ['server', 'auth'],
      message: `legacy key, ignored: configure auth.tokens, or set the AINTEGRIX_API_KEY environment variable${extra}`,
    });
    config['server'] = rest;
  }

  if (Object.hasOwn(config, 'persistence')) {
    translatePersistence(config, warnings, problems);
    delete config['persistence'];
  }

  if (Object.hasOwn(config, 'logging')) {
    warnings.push({
      path: ['logging'],
      message: `legacy key, ignored: logs are always JSON lines on stderr; set the level with the ${LOG_LEVEL_ENV} environment variable`,
    });
    delete config['logging'];
  }

  const permissions = config['permissions'];
  if (isPlainObject(permissions) && OLD_PERMISSION_KEYS.some((k) => Object.hasOwn(permissions, k))) {
    config['permissions'] = translatePermissions(permissions, warnings, problems);
  }

  return { config, warnings, problems };
}

function translatePersistence(config: Record<string, unknown>, warnings: ConfigProblem[], problems: ConfigProblem[]): void {
  const persistence = config['persistence'];
  if (persistence === null) {
    warnings.push({ path: ['persistence'], message: 'legacy key, ignored: use the store section' });
    return;
  }
  if (!isPlainObject(persistence)) {
    problems.push({ path: ['persistence'], message: `expected a map (legacy key), got ${describeValue(persistence)}` });
    return;
  }
  for (const key of Object.keys(persistence)) {
    if (key !== 'path') {
      problems.push({ path: ['persistence', key], message: `unknown key "${key}" (the legacy persistence block only has path; use store)` });
    }
  }
  const path = persistence['path'];
  if (path === undefined || path === null) {
    warnings.push({ path: ['persistence'], message: 'legacy key, ignored: use the store section' });
    return;
  }
  if (typeof path !== 'string' || path === '') {
    problems.push({ path: ['persistence', 'path'], message: `expected a file path (a non-empty string), got ${describeValue(path)}` });
    return;
  }
  const store = config['store'];
  if (isPlainObject(store) && store['path'] !== undefined && store['path'] !== null) {
    warnings.push({ path: ['persistence', 'path'], message: 'legacy key, ignored because store.path is set' });
    return;
  }
  if (store !== undefined && store !== null && !isPlainObject(store)) return; // the schema reports the bad store
  config['store'] = { ...(isPlainObject(store) ? store : {}), path };
  warnings.push({ path: ['persistence', 'path'], message: 'legacy key: use store.path (its value is used as store.path)' });
}

function translatePermissions(
  old: Record<string, unknown>,
  warnings: ConfigProblem[],
  problems: ConfigProblem[],
): Record<string, unknown> {
  const oldKeys = OLD_PERMISSION_KEYS.filter((k) => Object.hasOwn(old, k));
  const newKeys = NEW_PERMISSION_KEYS.filter((k) => Object.hasOwn(old, k));
  if (newKeys.length > 0) {
    problems.push({
      path: ['permissions'],
      message:
        `mixes legacy keys (${oldKeys.join(', ')}) with new keys (${newKeys.join(', ')}); ` +
        'write the policy with default, approval_timeout_secs and rules only',
    });
    return old;
  }

  const rules: { decision: string; method: string }[] = [];
  for (const [key, decision] of OLD_LISTS) {
    const list = old[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      problems.push({ path: ['permissions', key], message: `expected a list of ACP method names, got ${describeValue(list)}` });
      continue;
    }
    list.forEach((method: unknown, i) => {
      const at: KeyPath = ['permissions', key, i];
      if (typeof method === 'string' && method !== '') rules.push({ decision, method });
      else problems.push({ path: at, message: `expected an ACP method name (e.g. fs/read_text_file), got ${describeValue(method)}` });
    });
  }

  const policy = old['default_policy'];
  if (policy !== undefined && policy !== null && typeof policy !== 'string') {
    problems.push({ path: ['permissions', 'default_policy'], message: `expected deny, approve or allow, got ${describeValue(policy)}` });
  }
  const defaultDecision = policy === 'approve' || policy === 'allow' ? 'allow' : 'deny';

  // Keys that are neither old nor new stay, so that the schema reports them as unknown keys at their own line.
  const others = Object.fromEntries(Object.entries(old).filter(([k]) => !(OLD_PERMISSION_KEYS as readonly string[]).includes(k)));
  const summary = rules.map((r) => `${r.decision} ${r.method}`).join(', ');
  warnings.push({
    path: ['permissions'],
    message:
      `legacy policy (${oldKeys.join(', ')}) translated to default: ${defaultDecision}` +
      `${rules.length > 0 ? `, rules: ${summary}` : ''}; write it as permissions.default and permissions.rules`,
  });
  return { ...others, default: defaultDecision, rules };
}
