// Reads of the shared tables in PostgreSQL: the log after a position (catch-up of the mirror), the hash at a
// position (mirror validation), and the durable state (snapshots, timers, checkpoints) copied into the mirror.
import pg from 'pg';
import { type EventRow, eventsFromRows, type StoredEvent } from '../recorded-event.js';
import type { SnapshotRow, TimerRow } from '../statements.js';
import type { AuditCheckpoint } from '../types.js';
import type { DurableRows } from './mirror.js';

/** pg_events columns in the order of the SQLite store's EVENT_COLUMNS (so eventsFromRows reads both alike). */
export const PG_EVENT_COLUMNS = 'position, stream_id, stream_position, type, data_text, meta_text, at, prev_hash, hash';

/** bigint columns as numbers (positions, versions and times stay below 2^53), not strings; the rest as pg does. */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Up to `limit` events after `afterPosition` (and up to `upTo`, when given), in position order. */
export async function readEventsAfter(db: Queryable, afterPosition: number, limit: number, upTo?: number): Promise<StoredEvent[]> {
  const r = await db.query<EventRow>({
    text: upTo === undefined
      ? `SELECT ${PG_EVENT_COLUMNS} FROM pg_events WHERE position > $1 ORDER BY position LIMIT $2`
      : `SELECT ${PG_EVENT_COLUMNS} FROM pg_events WHERE position > $1 AND position <= $3 ORDER BY position LIMIT $2`,
    values: upTo === undefined ? [afterPosition, limit] : [afterPosition, limit, upTo],
    rowMode: 'array',
  });
  return eventsFromRows(r.rows);
}

/** The stored hash of the event at `position` (undefined when PostgreSQL has no such event). */
export async function hashAt(db: Queryable, position: number): Promise<string | undefined> {
  const r = await db.query<{ hash: string }>('SELECT hash FROM pg_events WHERE position = $1', [position]);
  return r.rows[0]?.hash;
}

/** Snapshots and timers (of `streamIds`, or all of them with checkpoints and audit checkpoints). */
export async function readDurable(db: Queryable, streamIds?: readonly string[]): Promise<DurableRows> {
  const where = streamIds === undefined ? '' : ' WHERE stream_id = ANY($1::text[])';
  const values = streamIds === undefined ? [] : [streamIds];
  const snapshots = await db.query<SnapshotRow>(`SELECT stream_id, stream_position, machine_version, snapshot FROM pg_snapshots${where}`, values);
  const timers = await db.query<TimerRow>(`SELECT stream_id, timer_id, due_at, event FROM pg_timers${where}`, values);
  if (streamIds !== undefined) return { snapshots: snapshots.rows, timers: timers.rows };
  const checkpoints = await db.query<[string, number]>({ text: 'SELECT processor_id, position FROM pg_checkpoints', rowMode: 'array' });
  const audit = await db.query<{ seq: number; position: number; hash: string; at: number; key_id: string; mac: string }>(
    'SELECT seq, position, hash, at, key_id, mac FROM pg_audit_checkpoints ORDER BY seq',
  );
  return {
    snapshots: snapshots.rows,
    timers: timers.rows,
    checkpoints: checkpoints.rows,
    audit: audit.rows.map((r): AuditCheckpoint => ({ seq: r.seq, position: r.position, hash: r.hash, at: r.at, keyId: r.key_id, mac: r.mac })),
  };
}
