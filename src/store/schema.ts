// Versioned schema migrations. Each migration runs once, in its own transaction, and is recorded in
// `schema_migrations`. A database whose recorded version is higher than the newest migration here was written by
// a newer build: opening it is refused, because this code could misread or damage tables it does not know.
import type Database from 'better-sqlite3';
import { SchemaVersionError } from './errors.js';

interface Migration {
  version: number;
  description: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'event log, streams, snapshots, timers, checkpoints',
    sql: `
      CREATE TABLE streams (
        stream_id        TEXT PRIMARY KEY,
        stream_type      TEXT NOT NULL,
        version          INTEGER NOT NULL,
        created_position INTEGER NOT NULL
      );
      CREATE TABLE events (
        position        INTEGER PRIMARY KEY,          -- rowid: global commit order, the one cursor
        stream_id       TEXT NOT NULL,
        stream_position INTEGER NOT NULL,
        type            TEXT NOT NULL,
        data            TEXT NOT NULL,                -- exact JSON text, hashed as stored
        meta            TEXT NOT NULL,
        at              INTEGER NOT NULL,             -- ms since the epoch, non-decreasing in position order
        prev_hash       TEXT NOT NULL,
        hash            TEXT NOT NULL,
        UNIQUE (stream_id, stream_position)           -- optimistic concurrency + stream replay index
      );
      -- Exports filtered by type. (Filters on 'at' need no index: 'at' never decreases along 'position', so the
      -- reader binary-searches positions instead, which costs nothing on the append path.)
      CREATE INDEX events_type ON events (type);
      CREATE TABLE snapshots (
        stream_id       TEXT PRIMARY KEY,
        stream_position INTEGER NOT NULL,
        machine_version TEXT NOT NULL,
        snapshot        TEXT NOT NULL
      );
      CREATE TABLE timers (
        stream_id TEXT NOT NULL,
        timer_id  TEXT NOT NULL,
        due_at    INTEGER NOT NULL,
        event     TEXT NOT NULL,
        PRIMARY KEY (stream_id, timer_id)
      );
      CREATE INDEX timers_due_at ON timers (due_at);
      CREATE TABLE checkpoints (
        processor_id TEXT PRIMARY KEY,
        position     INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'signed audit checkpoints of the head (see src/audit/checkpoint-mac.ts)',
    sql: `
      CREATE TABLE audit_checkpoints (
        seq      INTEGER PRIMARY KEY,                 -- 1, 2, 3, ...: a gap is a deleted checkpoint
        position INTEGER NOT NULL,                    -- the head that was signed
        hash     TEXT NOT NULL,                       -- the stored hash of the event at that position
        at       INTEGER NOT NULL,                    -- when it was signed (ms since the epoch)
        key_id   TEXT NOT NULL,                       -- which key signed it (not secret: a MAC of a constant)
        mac      TEXT NOT NULL                        -- HMAC-SHA256 of the canonical text, lowercase hex
      );
    `,
  },
  {
    version: 3,
    description: "each stream's last event type in its streams row (boot reads it instead of one event per stream)",
    // '' when a stream's last event cannot be found (a damaged file): read as unknown, verifyChain reports the row
    sql: `
      ALTER TABLE streams ADD COLUMN last_type TEXT NOT NULL DEFAULT '';
      UPDATE streams SET last_type = coalesce(
        (SELECT e.type FROM events e WHERE e.stream_id = streams.stream_id AND e.stream_position = streams.version), '');
    `,
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Version recorded in the database (0 for a fresh file). */
export function currentSchemaVersion(db: Database.Database): number {
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/** Bring the database to SCHEMA_VERSION; throws SchemaVersionError if it is already beyond it. */
export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  INTEGER NOT NULL
  )`);
  const found = currentSchemaVersion(db);
  if (found > SCHEMA_VERSION) {
    throw new SchemaVersionError(
      `database schema version ${found} is newer than this build supports (${SCHEMA_VERSION}); ` +
        'run a newer aintegrix or restore a matching backup',
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
  for (const m of MIGRATIONS) {
    if (m.version <= found) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.description, Date.now());
    }).immediate();
  }
}
