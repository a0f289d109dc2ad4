// `aintegrix serve`: load the config, find the API token, start the gateway, stop cleanly on SIGTERM/SIGINT.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { resolveWebhookSecret, webhookSecretFile } from '../webhooks/webhook-secret.js';
import { loadConfig, resolveAuthTokens, resolveStoreUrl, apiKeyFile, formatConfigError, ConfigError, DEFAULT_CONFIG_SOURCE } from '../config/index.js';
import { createLogger } from '../log/logger.js';
import { startGateway } from '../gateway/gateway.js';
import { assertNativeUws } from '../http/uws.js';
import { ALL_SCOPES } from '../http/auth.js';

export async function serve(options: { config?: string }): Promise<number> {
  // everything the gateway creates (data dir, database, WAL, token, workspaces, agent homes) is its user's alone;
  // agents and terminals inherit this umask too
  process.umask(0o077);
  const logger = createLogger();
  let loaded;
  try {
    loaded = loadConfig({ path: options.config, env: process.env });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(formatConfigError(e) + '\n');
      return 1;
    }
    throw e;
  }
  try {
    assertNativeUws();
  } catch (e) {
    process.stderr.write(`aintegrix: ${(e as Error).message}\n`);
    return 1;
  }
  const { config } = loaded;
  for (const w of loaded.warnings) logger.warn(w, { config: loaded.source });
  let tokens;
  try {
    tokens = resolveAuthTokens(config, process.env);
    resolveWebhookSecret(config, process.env); // a bad secret file stops the start here, with the config's errors
    resolveStoreUrl(config, process.env); // so does a postgres store without a usable URL
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(formatConfigError(e) + '\n');
    return 1;
  }
  let generated: string | undefined;
  if (tokens.length === 0) {
    generated = generatedToken(config.store.data_dir);
    tokens.push({ name: 'generated', token: generated, scopes: [...ALL_SCOPES] });
  }
  // files holding secrets are hidden from sandboxed agents even where a read-only bind would show them
  const secretFiles = [apiKeyFile(config, process.env), webhookSecretFile(config, process.env), config.store.url_file, loaded.source === DEFAULT_CONFIG_SOURCE ? undefined : loaded.source].filter(
    (f): f is string => f !== undefined,
  );
  const gateway = await startGateway({ config, tokens, logger, env: process.env, secretFiles });
  // signal handlers first: a client that reads the banner may signal at once
  let stopping = false;
  let exitCode = 0;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal: reason });
    const deadline = setTimeout(() => {
      logger.error('shutdown took longer than shutdown_timeout_secs; exiting');
      process.exit(1);
    }, config.server.shutdown_timeout_secs * 1000);
    gateway.close().then(
      () => {
        clearTimeout(deadline);
        process.exit(exitCode);
      },
      (e: Error) => {
        logger.error('shutdown failed', { error: e });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Last resort: an error nothing caught leaves the gateway in an unknown state. It is logged, then the gateway shuts
  // down as on SIGTERM (turns cancelled and recorded, terminals and agents stopped) and exits non-zero, so a
  // supervisor restarts it, rather than dying with agents and terminals left running.
  const fatal = (kind: string) => (e: unknown) => {
    logger.error('fatal: shutting down', { kind, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    exitCode = 1; // also when already shutting down: its deadline still bounds the exit
    stop(kind);
  };
  process.on('uncaughtException', fatal('uncaughtException'));
  process.on('unhandledRejection', fatal('unhandledRejection'));
  const r = gateway.restored;
  const rec = gateway.recovered;
  logger.info('gateway started', {
    url: gateway.url,
    config: loaded.source,
    store: config.store.kind === 'postgres' ? `postgres (mirror ${config.store.mirror_path})` : config.store.path,
    restored_streams: r.streams,
    timers: r.timers,
    recovered_sessions: rec.sessions,
    interrupted_turns: rec.interruptedTurns,
    expired_approvals: rec.expiredApprovals,
    stray_processes_stopped: rec.strayProcesses,
    stray_terminals_stopped: rec.strayTerminals,
  });
  process.stdout.write(`aintegrix listening on ${gateway.url}\n`);
  process.stdout.write(`Web console: ${gateway.url}/ui (sign in with the API token)\n`);
  // Only a token the gateway made up is printed (its operator has no other way to learn it); a token the operator
  // gave (AINTEGRIX_API_KEY, auth.tokens) is named, never shown: stdout often ends up in a shared log.
  if (generated) process.stdout.write(`API token: ${generated} (generated, kept in ${join(config.store.data_dir, 'api-token')})\n`);
  else process.stdout.write(`API tokens: ${tokens.map((t) => t.name).join(', ')} (configured, not shown)\n`);

  return 0;
}

/** A random token generated once and kept (0600) in the data folder, so restarts keep the same one. */
function generatedToken(dataDir: string): string {
  const file = join(dataDir, 'api-token');
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length >= 16) return t;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = `aix_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}
