// The `store` section of the config (README: Configuration, The PostgreSQL store): the embedded SQLite log (the
// default) or the PostgreSQL log shared by several nodes, with the node's local mirror of it.
import { join, resolve } from 'node:path';
import { enumOf, nonEmptyString, optional, positiveInt, positiveNumber, section } from './fields.js';

/** `store.path: ':memory:'` (unit tests only): the log in memory, not resolved as a path */
export const IN_MEMORY_STORE = ':memory:';

const postgresUrl = () =>
  nonEmptyString('a postgres:// URL').refine((u) => /^postgres(ql)?:\/\/./.test(u), {
    error: () => 'expected a postgres:// URL (postgres://user@host:5432/database)',
  });

export const storeSchema = section({
  /** sqlite: the embedded log in `path` (the default); postgres: the shared log of several nodes (README: Scale-out) */
  kind: enumOf(['sqlite', 'postgres']).default('sqlite'),
  data_dir: nonEmptyString('a directory path').default('./data'),
  /** default <data_dir>/aintegrix.db */
  path: optional(nonEmptyString('a file path')),
  /** strict = SQLite synchronous FULL; fast = NORMAL */
  durability: enumOf(['strict', 'fast']).default('strict'),
  snapshot_every: positiveInt().default(200),
  /** postgres: the server's URL; AINTEGRIX_STORE_URL overrides it; a password belongs in url_file or the variable */
  url: optional(postgresUrl()),
  /** postgres: a file holding the URL (kept out of the config and of every environment) */
  url_file: optional(nonEmptyString('a file path')),
  /** postgres: the node's local copy of the log (default <data_dir>/postgres-mirror.db) */
  mirror_path: optional(nonEmptyString('a file path')),
  /** postgres: the slow poll for other nodes' commits besides LISTEN/NOTIFY */
  poll_secs: positiveNumber().default(1),
  /** postgres: how long opening a connection may take before an append fails (503 at the edge) */
  connect_timeout_secs: positiveNumber().default(5),
  /** postgres: how long an append whose commit's outcome is unknown (connection lost) waits to learn it from the table */
  in_doubt_timeout_secs: positiveNumber().default(10),
})
  .refine((s) => s.url === undefined || s.url_file === undefined, { error: 'set either url or url_file, not both', path: ['url_file'] })
  .transform((s) => ({
    ...s,
    // All are resolved against the process cwd (not the config file's folder), at load time.
    data_dir: resolve(s.data_dir),
    path: s.path === IN_MEMORY_STORE ? s.path : resolve(s.path ?? join(s.data_dir, 'aintegrix.db')),
    mirror_path: resolve(s.mirror_path ?? join(s.data_dir, 'postgres-mirror.db')),
    ...(s.url_file !== undefined ? { url_file: resolve(s.url_file) } : {}),
  }));
