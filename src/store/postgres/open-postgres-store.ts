// Opening the postgres store: connect, create or upgrade the schema, validate the local mirror against PostgreSQL
// (its head must be PostgreSQL's row at that position, hash for hash; otherwise it is rebuilt from scratch), copy
// the durable state (snapshots, timers, checkpoints) into it, catch it up, and start listening.
import pg from 'pg';
import { InvalidArgumentError } from '../errors.js';
import type { EventStore, EventStoreOptions } from '../types.js';
import { checkLimit, checkPosition } from '../validate-append.js';
import { Mirror, removeMirrorFiles } from './mirror.js';
import { hashAt, pgTypes, readDurable } from './pg-reads.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { migratePostgres } from './schema.js';

export { describePostgresUrl } from './url.js';

export interface PostgresEventStoreOptions extends EventStoreOptions {
  /** postgres://user:password@host:port/database (never logged: see describePostgresUrl) */
  url: string;
  /** this node's id: a fenced append commits only while the lease is held under it (default: 'node') */
  nodeId?: string;
  /** the safety-net poll for other nodes' commits, besides LISTEN/NOTIFY (ms, default 1000) */
  pollMs?: number;
  /** connections of the pool the writer and catch-up reads share (default 4; LISTEN has one of its own) */
  poolSize?: number;
  /** how long an append whose commit's outcome is unknown (the connection broke) waits to learn it (ms, default 10000) */
  inDoubtTimeoutMs?: number;
  /** how long opening a connection may take before the commit fails (ms, default 5000) */
  connectTimeoutMs?: number;
  /**
   * how long a transaction of this node may sit idle before PostgreSQL ends it (ms, default 30000). A cluster node
   * sets it below its lease TTL: a node paused inside the (rare) locked commit holds the writers' lock and lease rows,
   * and the other nodes' heartbeats must get through before their leases expire.
   */
  idleInTransactionMs?: number;
}

const DEFAULT_MAX_BATCH_EVENTS = 512;

function defaultReportError(error: unknown, context: string): void {
  console.error(`[event-store] ${context}:`, error);
}

/** Open (creating the schema if needed) the postgres event store; its mirror lives in `options.path`. */
export async function openPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  if (typeof options?.url !== 'string' || !/^postgres(ql)?:\/\//.test(options.url)) {
    throw new InvalidArgumentError('openPostgresEventStore: url must be a postgres:// URL');
  }
  if (typeof options.path !== 'string' || options.path === '' || options.path === ':memory:') {
    throw new InvalidArgumentError('openPostgresEventStore: path (the file of the local mirror) is required');
  }
  if (options.maxBatchEvents !== undefined) checkLimit(options.maxBatchEvents, 'maxBatchEvents');
  if (options.lingerMs !== undefined) checkPosition(options.lingerMs, 'lingerMs');
  if (options.pollMs !== undefined) checkLimit(options.pollMs, 'pollMs');
  const userReport = options.onError;
  const reportError = userReport
    ? (error: unknown, context: string) => {
        try {
          userReport(error, context);
        } catch (err) {
          defaultReportError(err, `onError threw while reporting "${context}"`);
        }
      }
    : defaultReportError;
  const nodeId = options.nodeId ?? 'node';
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 4,
    types: pgTypes,
    application_name: `aintegrix:${nodeId}`.slice(0, 63),
    allowExitOnIdle: true,
    // a server that does not answer fails the commit (503 at the gateway) instead of holding it forever
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    keepAlive: true,
    // a node that dies inside the (rare) locked commit must not hold the writers' lock of every node for long
    idle_in_transaction_session_timeout: options.idleInTransactionMs ?? 30_000,
  });
  // an idle connection that breaks (server restart) is dropped by the pool; the next query makes a new one
  pool.on('error', (err) => reportError(err, 'postgres store: idle connection lost'));
  let mirror: Mirror | undefined;
  try {
    const client = await pool.connect();
    try {
      const encoding = (await client.query<{ server_encoding: string }>('SHOW server_encoding')).rows[0]?.server_encoding;
      if (encoding !== 'UTF8') throw new Error(`the PostgreSQL database must use UTF8 (it uses ${encoding}): the hash chain covers the exact text`);
      await migratePostgres(client);
    } finally {
      client.release();
    }
    mirror = await validMirror(options.path, pool, reportError);
    mirror.replaceDurable(await readDurable(pool));
    const store = new PostgresEventStore({
      pool, mirror, url: options.url, nodeId,
      pollMs: options.pollMs ?? 1000,
      maxBatchEvents: options.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS,
      lingerMs: options.lingerMs ?? 2,
      inDoubtTimeoutMs: options.inDoubtTimeoutMs ?? 10_000,
      reportError,
    });
    try {
      await store.start();
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
    return store;
  } catch (err) {
    try {
      mirror?.close();
    } catch {
      // already closed by the store
    }
    await pool.end().catch(() => undefined);
    throw err;
  }
}

/** The mirror file if its head is PostgreSQL's row at that position; otherwise a fresh one in its place. */
async function validMirror(path: string, pool: pg.Pool, report: (error: unknown, context: string) => void): Promise<Mirror> {
  const mirror = Mirror.open(path, report);
  const { position, hash } = mirror.head;
  if (position === 0) return mirror;
  const authority = await hashAt(pool, position);
  if (authority === hash) return mirror;
  report(
    new Error(authority === undefined ? `PostgreSQL has no event ${position}` : `event ${position} differs from PostgreSQL's`),
    `mirror ${path} does not match PostgreSQL at its head (position ${position}); rebuilding it`,
  );
  mirror.close();
  removeMirrorFiles(path);
  return Mirror.open(path, report);
}
