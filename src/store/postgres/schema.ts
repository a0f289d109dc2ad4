// The PostgreSQL schema of the event store, created and upgraded by the store itself at open. Versioned like the
// SQLite schema (schema.ts): each migration runs once, in one transaction, under an advisory lock (several nodes
// may open the same database at once), and is recorded in `aintegrix_schema`; a database from a newer build is
// refused. JSON is TEXT, never jsonb: the hash chain covers the exact bytes, and jsonb would rewrite them.
import type pg from 'pg';
import { SchemaVersionError } from '../errors.js';

/** Advisory lock keys (pg_advisory_xact_lock(bigint)): one for migrations, one that serialises every writer. */
export const MIGRATION_LOCK = 0x61696e74_6d696772n; // "aintmigr"
export const WRITER_LOCK = 0x61696e74_77726974n; // "aintwrit"

/** The channel every commit is announced on (payload: the commit's last position). */
export const NOTIFY_CHANNEL = 'aintegrix_events';

interface Migration {
  version: number;
  description: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'event log, streams, snapshots, timers, checkpoints, audit checkpoints, leases',
    sql: `
      CREATE TABLE pg_events (
        position        bigint PRIMARY KEY,          -- global commit order, gap-free (writers hold WRITER_LOCK)
        stream_id       text NOT NULL,
        stream_position bigint NOT NULL,
        type            text NOT NULL,
        at              bigint NOT NULL,             -- ms since the epoch, non-decreasing along position
        data_text       text NOT NULL,               -- exact JSON text, hashed as stored
        meta_text       text NOT NULL,
        prev_hash       text NOT NULL,
        hash            text NOT NULL,
        UNIQUE (stream_id, stream_position)
      );
      CREATE TABLE pg_streams (
        stream_id        text PRIMARY KEY,
        stream_type      text NOT NULL,
        version          bigint NOT NULL,
        created_position bigint NOT NULL,
        last_type        text NOT NULL
      );
      CREATE TABLE pg_snapshots (
        stream_id       text PRIMARY KEY,
        stream_position bigint NOT NULL,
        machine_version text NOT NULL,
        snapshot        text NOT NULL
      );
      CREATE TABLE pg_timers (
        stream_id text NOT NULL,
        timer_id  text NOT NULL,
        due_at    bigint NOT NULL,
        event     text NOT NULL,
        PRIMARY KEY (stream_id, timer_id)
      );
      CREATE TABLE pg_checkpoints (
        processor_id text PRIMARY KEY,
        position     bigint NOT NULL
      );
      CREATE TABLE pg_audit_checkpoints (
        seq      bigint PRIMARY KEY,
        position bigint NOT NULL,
        hash     text NOT NULL,
        at       bigint NOT NULL,
        key_id   text NOT NULL,
        mac      text NOT NULL
      );
      -- Ownership of actors by node (src/cluster): an append fenced with {key, epoch} commits only while
      -- node_id/epoch still match (checked inside the append's transaction).
      CREATE TABLE leases (
        key        text PRIMARY KEY,
        node_id    text NOT NULL,
        epoch      bigint NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX leases_node ON leases (node_id);
      CREATE INDEX leases_expires_at ON leases (expires_at);
    `,
  },
];

/** The schema version this build writes. */
export const PG_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Bring the database to PG_SCHEMA_VERSION (idempotent; safe when several nodes open at once). */
export async function migratePostgres(client: pg.ClientBase): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS aintegrix_schema (
      version     integer PRIMARY KEY,
      description text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    const found = Number((await client.query<{ v: number | null }>('SELECT max(version) AS v FROM aintegrix_schema')).rows[0]?.v ?? 0);
    if (found > PG_SCHEMA_VERSION) {
      throw new SchemaVersionError(
        `database schema version ${found} is newer than this build supports (${PG_SCHEMA_VERSION}); run a newer aintegrix`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= found) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO aintegrix_schema (version, description) VALUES ($1, $2)', [m.version, m.description]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
