// The cluster's tables in the shared PostgreSQL database. `leases` belongs to the postgres store's schema (its
// appends check the fence against it), so the store's migration runs first (idempotent, safe when nodes open at
// once); the cluster adds `nodes` (who is alive, where to forward), under an advisory lock of its own since
// CREATE TABLE IF NOT EXISTS alone can still fail on a concurrent creation of the same type.
import type pg from 'pg';
import { migratePostgres } from '../store/postgres/schema.js';

const NODES_LOCK = 0x616978_c1; // "aix" + cluster: distinct from the store's locks

export const NODES_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS nodes (
  node_id text PRIMARY KEY,
  url text NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now()
);`;

export async function ensureClusterTables(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await migratePostgres(client);
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [NODES_LOCK]);
    await client.query(NODES_TABLE_SQL);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
