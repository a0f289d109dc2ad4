// The cluster's two tables in the shared PostgreSQL database. The postgres event store creates `leases` with its
// schema (its appends check the fence against it); the cluster creates both idempotently as well, with the same
// definitions, so either may start first. An advisory lock serialises nodes creating them at once (CREATE TABLE IF
// NOT EXISTS alone can still fail on a concurrent creation of the same type).
import type pg from 'pg';

const SCHEMA_LOCK = 0x616978_c1; // "aix" + cluster: distinct from the store's locks

export const CLUSTER_TABLES_SQL = `
CREATE TABLE IF NOT EXISTS leases (
  key text PRIMARY KEY,
  node_id text NOT NULL,
  epoch bigint NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS leases_node_id ON leases (node_id);
CREATE INDEX IF NOT EXISTS leases_expires_at ON leases (expires_at);
CREATE TABLE IF NOT EXISTS nodes (
  node_id text PRIMARY KEY,
  url text NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now()
);`;

export async function ensureClusterTables(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(CLUSTER_TABLES_SQL);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
