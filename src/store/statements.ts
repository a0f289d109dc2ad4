// Every SQL statement the store runs, prepared once per connection. Event SELECTs run in raw mode (rows as
// arrays in EVENT_COLUMNS order): measurably faster than row objects, and StoredEvent is built from them anyway.
import type Database from 'better-sqlite3';
import { EVENT_COLUMNS, type EventRow } from './recorded-event.js';

export interface StreamRow {
  stream_id: string;
  stream_type: string;
  version: number;
  created_position: number;
  last_type: string;
}

export interface SnapshotRow {
  stream_id: string;
  stream_position: number;
  machine_version: string;
  snapshot: string;
}

export interface TimerRow {
  stream_id: string;
  timer_id: string;
  due_at: number;
  event: string;
}

type Stmt<P extends unknown[], R = unknown> = Database.Statement<P, R>;

export interface Statements {
  head: Stmt<[], [position: number, hash: string, at: number]>;
  streamVersion: Stmt<[streamId: string], number>;
  readStream: Stmt<[streamId: string, fromStreamPosition: number, limit: number], EventRow>;
  readAll: Stmt<[afterPosition: number, limit: number], EventRow>;
  readStreamAfter: Stmt<[streamId: string, fromStreamPosition: number, afterPosition: number, limit: number], EventRow>;
  atOfPosition: Stmt<[position: number], number>;
  positionOfStreamPosition: Stmt<[streamId: string, streamPosition: number], number>;
  allStreams: Stmt<[], StreamRow>;
  streamsFrom: Stmt<[fromStreamId: string], StreamRow>;
  lastTypesFrom: Stmt<[fromStreamId: string], [streamId: string, type: string]>;
  insertEvent: Stmt<[number, string, number, string, string, string, number, string, string]>;
  upsertStream: Stmt<[streamId: string, streamType: string, version: number, createdPosition: number, lastType: string]>;
  snapshotsBetween: Stmt<[fromStreamId: string, beforeStreamId: string], SnapshotRow>;
  getSnapshot: Stmt<[streamId: string], SnapshotRow>;
  upsertSnapshot: Stmt<[streamId: string, streamPosition: number, machineVersion: string, snapshot: string]>;
  allTimers: Stmt<[], TimerRow>;
  upsertTimer: Stmt<[streamId: string, timerId: string, dueAt: number, event: string]>;
  deleteTimer: Stmt<[streamId: string, timerId: string]>;
  getCheckpoint: Stmt<[processorId: string], number>;
  upsertCheckpoint: Stmt<[processorId: string, position: number]>;
}

export function prepareStatements(db: Database.Database): Statements {
  const events = (where: string, order: string): string =>
    `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where} ORDER BY ${order} LIMIT ?`;
  return {
    head: db.prepare<[], [number, string, number]>('SELECT position, hash, at FROM events ORDER BY position DESC LIMIT 1').raw(true),
    streamVersion: db.prepare<[string], number>('SELECT version FROM streams WHERE stream_id = ?').pluck(true),
    readStream: db.prepare<[string, number, number], EventRow>(events('stream_id = ? AND stream_position >= ?', 'stream_position')).raw(true),
    readAll: db.prepare<[number, number], EventRow>(events('position > ?', 'position')).raw(true),
    // The caller narrows the start with firstStreamPositionAfter (position-search.ts), so this is an index range
    // on UNIQUE(stream_id, stream_position) rather than a walk over the stream from its first event.
    readStreamAfter: db.prepare<[string, number, number, number], EventRow>(
      events('stream_id = ? AND stream_position >= ? AND position > ?', 'stream_position'),
    ).raw(true),
    atOfPosition: db.prepare<[number], number>('SELECT at FROM events WHERE position = ?').pluck(true),
    positionOfStreamPosition: db.prepare<[string, number], number>(
      'SELECT position FROM events WHERE stream_id = ? AND stream_position = ?',
    ).pluck(true),
    allStreams: db.prepare<[], StreamRow>('SELECT stream_id, stream_type, version, created_position, last_type FROM streams ORDER BY created_position'),
    streamsFrom: db.prepare<[string], StreamRow>(
      'SELECT stream_id, stream_type, version, created_position, last_type FROM streams WHERE stream_id >= ? ORDER BY stream_id',
    ),
    // the type of each stream's last event, kept in its streams row by the commit that wrote it (no event read)
    lastTypesFrom: db
      .prepare<[string], [string, string]>('SELECT stream_id, last_type FROM streams WHERE stream_id >= ? ORDER BY stream_id')
      .raw(true),
    insertEvent: db.prepare(
      'INSERT INTO events (position, stream_id, stream_position, type, data, meta, at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    upsertStream: db.prepare(
      'INSERT INTO streams (stream_id, stream_type, version, created_position, last_type) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_type = excluded.last_type',
    ),
    getSnapshot: db.prepare<[string], SnapshotRow>(
      'SELECT stream_id, stream_position, machine_version, snapshot FROM snapshots WHERE stream_id = ?',
    ),
    // The ids come from the stream_id index, the rows in rowid order: walked in id order, each table page was read
    // again for every row on it, a read from disk once the page cache no longer held the table (measured on 10 000
    // session snapshots: 45-54 ms CPU against 56-103 ms, whatever the cache size).
    snapshotsBetween: db.prepare<[string, string], SnapshotRow>(
      'SELECT stream_id, stream_position, machine_version, snapshot FROM snapshots ' +
        'WHERE rowid IN (SELECT rowid FROM snapshots WHERE stream_id >= ? AND stream_id < ?) ORDER BY rowid',
    ),
    upsertSnapshot: db.prepare(
      'INSERT INTO snapshots (stream_id, stream_position, machine_version, snapshot) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (stream_id) DO UPDATE SET stream_position = excluded.stream_position, ' +
        'machine_version = excluded.machine_version, snapshot = excluded.snapshot',
    ),
    allTimers: db.prepare<[], TimerRow>('SELECT stream_id, timer_id, due_at, event FROM timers ORDER BY due_at, stream_id, timer_id'),
    upsertTimer: db.prepare(
      'INSERT INTO timers (stream_id, timer_id, due_at, event) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (stream_id, timer_id) DO UPDATE SET due_at = excluded.due_at, event = excluded.event',
    ),
    deleteTimer: db.prepare('DELETE FROM timers WHERE stream_id = ? AND timer_id = ?'),
    getCheckpoint: db.prepare<[string], number>('SELECT position FROM checkpoints WHERE processor_id = ?').pluck(true),
    upsertCheckpoint: db.prepare(
      'INSERT INTO checkpoints (processor_id, position) VALUES (?, ?) ON CONFLICT (processor_id) DO UPDATE SET position = excluded.position',
    ),
  };
}
