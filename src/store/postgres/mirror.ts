// The node's local copy of the shared log: an SQLite file with the SQLite store's schema, holding PostgreSQL's rows
// with their positions and hashes, fed strictly in position order. Every synchronous read of the postgres store is
// served from here by the SQLite store's own read code (log-reads.ts), so reads never wait for the network.
// It is a cache: PostgreSQL is the authority. At open a mirror whose head does not match PostgreSQL's row at that
// position (another database, a tampered or lost file, an unreadable one) is thrown away and rebuilt.
import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { LogReads } from '../log-reads.js';
import { openDatabase } from '../open-database.js';
import { type SideWrites, applySideWrites } from '../pending-writes.js';
import type { StoredEvent } from '../recorded-event.js';
import type { SnapshotRow, TimerRow } from '../statements.js';
import type { AuditCheckpoint } from '../types.js';
import { type Head, readHead } from '../write-batch.js';

/** A row came that does not follow the mirror's head: the log it was read from has a hole. */
export class MirrorGapError extends Error {
  override readonly name = 'MirrorGapError';
}

/** Durable state copied from PostgreSQL at open (or for a few streams, by refreshStreams). */
export interface DurableRows {
  snapshots: SnapshotRow[];
  timers: TimerRow[];
  checkpoints?: [processorId: string, position: number][];
  audit?: AuditCheckpoint[];
}

const streamTypeOf = (streamId: string): string => streamId.slice(0, streamId.indexOf(':'));

export class Mirror {
  readonly reads: LogReads;
  private headState: Head;
  private readonly applyRows: (events: readonly StoredEvent[]) => void;

  private constructor(readonly db: Database.Database) {
    this.reads = new LogReads(db);
    this.headState = readHead(this.reads.st);
    const st = this.reads.st;
    this.applyRows = db.transaction((events: readonly StoredEvent[]) => {
      // one streams upsert per stream of the batch: its last version, its first position if it is new
      const streams = new Map<string, { version: number; first: number; lastType: string }>();
      for (const e of events) {
        st.insertEvent.run(e.position, e.streamId, e.streamPosition, e.type, e.dataText, e.metaText, e.at, e.prevHash, e.hash);
        const s = streams.get(e.streamId);
        if (s) {
          s.version = e.streamPosition;
          s.lastType = e.type;
        } else streams.set(e.streamId, { version: e.streamPosition, first: e.position, lastType: e.type });
      }
      for (const [id, s] of streams) st.upsertStream.run(id, streamTypeOf(id), s.version, s.first, s.lastType);
    });
  }

  /** Open the mirror file, or a fresh one in its place when it cannot be used (it is only a cache). */
  static open(path: string, report: (error: unknown, context: string) => void): Mirror {
    try {
      return new Mirror(mirrorDatabase(path));
    } catch (err) {
      report(err, `mirror ${path} unusable; rebuilding it from PostgreSQL`);
      removeMirrorFiles(path);
      return new Mirror(mirrorDatabase(path));
    }
  }

  /** The newest event copied. */
  get head(): Head {
    return this.headState;
  }

  /**
   * Append PostgreSQL's rows (in position order). Rows the mirror already has are skipped (a node's own commit and
   * a catch-up read may overlap); the rest must follow the head without a hole. Returns the rows applied.
   */
  apply(events: readonly StoredEvent[]): readonly StoredEvent[] {
    let i = 0;
    while (i < events.length && events[i]!.position <= this.headState.position) i++;
    if (i === events.length) return [];
    const fresh = i === 0 ? events : events.slice(i);
    const first = fresh[0]!;
    if (first.position !== this.headState.position + 1) {
      throw new MirrorGapError(`row ${first.position} does not follow the mirror's head ${this.headState.position}`);
    }
    for (let j = 1; j < fresh.length; j++) {
      if (fresh[j]!.position !== first.position + j) throw new MirrorGapError(`rows ${first.position + j - 1} and ${fresh[j]!.position} are not contiguous`);
    }
    this.applyRows(fresh);
    const last = fresh[fresh.length - 1]!;
    this.headState = { position: last.position, hash: last.hash, at: last.at };
    return fresh;
  }

  /** Snapshot, timer and checkpoint writes of this node (read-your-writes, before PostgreSQL has them). */
  applySide(side: SideWrites): void {
    this.db.transaction(() => applySideWrites(this.reads.st, side))();
  }

  saveAuditCheckpoint(cp: AuditCheckpoint): void {
    this.reads.auditCheckpoints.insert(cp);
  }

  /** Replace the durable state of `streamIds` (all of it when undefined) with PostgreSQL's rows. */
  replaceDurable(rows: DurableRows, streamIds?: readonly string[]): void {
    const st = this.reads.st;
    this.db.transaction(() => {
      if (streamIds === undefined) {
        this.db.exec('DELETE FROM snapshots; DELETE FROM timers;');
      } else {
        const delSnapshot = this.db.prepare('DELETE FROM snapshots WHERE stream_id = ?');
        const delTimers = this.db.prepare('DELETE FROM timers WHERE stream_id = ?');
        for (const id of streamIds) {
          delSnapshot.run(id);
          delTimers.run(id);
        }
      }
      for (const r of rows.snapshots) st.upsertSnapshot.run(r.stream_id, r.stream_position, r.machine_version, r.snapshot);
      for (const r of rows.timers) st.upsertTimer.run(r.stream_id, r.timer_id, r.due_at, r.event);
      if (rows.checkpoints) {
        this.db.exec('DELETE FROM checkpoints');
        for (const [id, position] of rows.checkpoints) st.upsertCheckpoint.run(id, position);
      }
      if (rows.audit) {
        this.db.exec('DELETE FROM audit_checkpoints');
        for (const cp of rows.audit) this.reads.auditCheckpoints.insert(cp);
      }
    })();
  }

  close(): void {
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      this.db.close();
    }
  }
}

/**
 * The mirror's connection: the SQLite store's schema and settings, but synchronous=NORMAL (what a crash loses is
 * copied again from PostgreSQL at the next open) and SQLite's own WAL checkpoints (nobody waits on these writes).
 */
function mirrorDatabase(path: string): Database.Database {
  const db = openDatabase(path, 'fast');
  try {
    db.pragma('wal_autocheckpoint = 1000');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function removeMirrorFiles(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
}
