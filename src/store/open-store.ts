// Opening the store the config asks for: SQLite (embedded, the default) or PostgreSQL (several nodes). Async,
// because the postgres store connects, migrates and catches its mirror up before it serves a read. The postgres
// modules (and the driver) are loaded only for it: the SQLite default starts exactly as before.
import type { StoreConfig } from '../config/schema.js';
import { openEventStore } from './sqlite-event-store.js';
import type { EventStore } from './types.js';

export interface OpenStoreOptions {
  /** the postgres server's URL (resolveStoreUrl); required for kind postgres */
  url?: string;
  /** this node's id (fenced appends); postgres only */
  nodeId?: string;
  /** a cluster node: PostgreSQL ends a transaction of this node idle for longer (below the lease TTL) */
  idleInTransactionMs?: number;
  onError?: (error: unknown, context: string) => void;
}

export async function openConfiguredEventStore(config: StoreConfig, o: OpenStoreOptions = {}): Promise<EventStore> {
  if (config.kind === 'sqlite') return openEventStore({ path: config.path, durability: config.durability, onError: o.onError });
  if (o.url === undefined) throw new Error('the postgres store needs a URL (store.url, store.url_file or AINTEGRIX_STORE_URL)');
  const { openPostgresEventStore } = await import('./postgres/open-postgres-store.js');
  return openPostgresEventStore({
    url: o.url,
    path: config.mirror_path,
    pollMs: Math.max(1, Math.round(config.poll_secs * 1000)),
    connectTimeoutMs: Math.max(1, Math.round(config.connect_timeout_secs * 1000)),
    inDoubtTimeoutMs: Math.max(1, Math.round(config.in_doubt_timeout_secs * 1000)),
    ...(o.nodeId !== undefined ? { nodeId: o.nodeId } : {}),
    ...(o.idleInTransactionMs !== undefined ? { idleInTransactionMs: o.idleInTransactionMs } : {}),
    onError: o.onError,
  });
}
