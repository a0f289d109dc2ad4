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

// One group commit in ONE statement (one round trip, its own transaction): the node numbers and hashes its batch
// on top of the head it believes (its mirror's) and sends the rows; under WRITER_LOCK the function checks that the
// head is still that one (else 'moved': nothing written, the node catches up and numbers again) and that every
// fence still holds (else 'fenced' with the refused fences and their holders: nothing written, the node drops those
// appends and numbers again), then inserts the rows, moves the streams, writes the side rows and NOTIFYs. The
// streams check is a guard: with the head's hash equal the mirror's versions are PostgreSQL's. A plpgsql function
// (VOLATILE) takes a new snapshot per statement, so the head is read after the lock is held.
const COMMIT_FUNCTION_SQL = `
  CREATE OR REPLACE FUNCTION aintegrix_commit(
    p_node text, p_head bigint, p_head_hash text, p_fence_keys text[], p_fence_epochs bigint[],
    e_position bigint[], e_stream text[], e_stream_position bigint[], e_type text[], e_at bigint[],
    e_data text[], e_meta text[], e_prev text[], e_hash text[],
    s_id text[], s_type text[], s_base bigint[], s_version bigint[], s_created bigint[], s_last_type text[],
    snap_stream text[], snap_position bigint[], snap_machine text[], snap_text text[],
    timer_stream text[], timer_ids text[], timer_due bigint[], timer_event text[], clear_stream text[], clear_id text[],
    cp_id text[], cp_position bigint[],
    a_seq bigint[], a_position bigint[], a_hash text[], a_at bigint[], a_key text[], a_mac text[],
    OUT status text, OUT head_position bigint, OUT head_hash text,
    OUT refused_keys text[], OUT refused_epochs bigint[], OUT holder_nodes text[], OUT holder_epochs bigint[]
  ) LANGUAGE plpgsql VOLATILE AS $fn$
  #variable_conflict use_column
  BEGIN
    PERFORM pg_advisory_xact_lock(${WRITER_LOCK.toString()});
    SELECT e.position, e.hash INTO head_position, head_hash FROM pg_events e ORDER BY e.position DESC LIMIT 1;
    head_position := coalesce(head_position, 0);
    head_hash := coalesce(head_hash, '${'0'.repeat(64)}');
    IF head_position <> p_head OR head_hash <> p_head_hash THEN
      status := 'moved';
      RETURN;
    END IF;
    IF cardinality(p_fence_keys) > 0 THEN
      -- the lease rows are locked FOR SHARE before they are read: a takeover (UPDATE of the epoch) in flight is
      -- waited for and then seen, and none can commit until this commit did; a plain read would see the old epoch
      -- and let a stale owner write after the takeover committed
      PERFORM 1 FROM leases WHERE key = ANY(p_fence_keys) FOR SHARE;
      SELECT array_agg(f.key), array_agg(f.epoch), array_agg(l.node_id), array_agg(l.epoch)
        INTO refused_keys, refused_epochs, holder_nodes, holder_epochs
        FROM unnest(p_fence_keys, p_fence_epochs) AS f(key, epoch) LEFT JOIN leases l ON l.key = f.key
        WHERE l.key IS NULL OR l.node_id <> p_node OR l.epoch <> f.epoch;
      IF refused_keys IS NOT NULL THEN
        status := 'fenced';
        RETURN;
      END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(s_id, s_base) AS b(id, base) LEFT JOIN pg_streams s ON s.stream_id = b.id
               WHERE coalesce(s.version, 0) <> b.base) THEN
      RAISE EXCEPTION 'aintegrix_commit: pg_streams disagrees with the events at head %', p_head;
    END IF;
    INSERT INTO pg_events (position, stream_id, stream_position, type, at, data_text, meta_text, prev_hash, hash)
      SELECT * FROM unnest(e_position, e_stream, e_stream_position, e_type, e_at, e_data, e_meta, e_prev, e_hash);
    -- created_position is kept for an existing stream: only version and last_type move
    INSERT INTO pg_streams (stream_id, stream_type, version, created_position, last_type)
      SELECT * FROM unnest(s_id, s_type, s_version, s_created, s_last_type)
      ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_type = excluded.last_type;
    IF cardinality(snap_stream) > 0 THEN
      INSERT INTO pg_snapshots (stream_id, stream_position, machine_version, snapshot)
        SELECT * FROM unnest(snap_stream, snap_position, snap_machine, snap_text)
        ON CONFLICT (stream_id) DO UPDATE SET stream_position = excluded.stream_position,
          machine_version = excluded.machine_version, snapshot = excluded.snapshot;
    END IF;
    IF cardinality(timer_stream) > 0 THEN
      INSERT INTO pg_timers (stream_id, timer_id, due_at, event) SELECT * FROM unnest(timer_stream, timer_ids, timer_due, timer_event)
        ON CONFLICT (stream_id, timer_id) DO UPDATE SET due_at = excluded.due_at, event = excluded.event;
    END IF;
    IF cardinality(clear_stream) > 0 THEN
      DELETE FROM pg_timers t USING unnest(clear_stream, clear_id) AS c(stream_id, timer_id)
        WHERE t.stream_id = c.stream_id AND t.timer_id = c.timer_id;
    END IF;
    IF cardinality(cp_id) > 0 THEN
      INSERT INTO pg_checkpoints (processor_id, position) SELECT * FROM unnest(cp_id, cp_position)
        ON CONFLICT (processor_id) DO UPDATE SET position = excluded.position;
    END IF;
    IF cardinality(a_seq) > 0 THEN
      -- seq is per node's signer; a second node signing the same seq keeps the first row (see README)
      INSERT INTO pg_audit_checkpoints (seq, position, hash, at, key_id, mac)
        SELECT * FROM unnest(a_seq, a_position, a_hash, a_at, a_key, a_mac) ON CONFLICT (seq) DO NOTHING;
    END IF;
    IF cardinality(e_position) > 0 THEN
      PERFORM pg_notify('${NOTIFY_CHANNEL}', e_position[cardinality(e_position)]::text);
      head_position := e_position[cardinality(e_position)];
      head_hash := e_hash[cardinality(e_hash)];
    END IF;
    status := 'ok';
  END
  $fn$`;

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
  {
    version: 2,
    description: 'aintegrix_commit: a group commit in one round trip',
    sql: COMMIT_FUNCTION_SQL,
  },
  {
    version: 3,
    description: 'aintegrix_commit locks the fenced lease rows FOR SHARE (a takeover in flight is waited for)',
    sql: COMMIT_FUNCTION_SQL,
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
