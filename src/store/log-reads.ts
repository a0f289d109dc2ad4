// The synchronous reads of the EventStore contract over one SQLite connection holding the log's tables: the
// SQLite store's own file, or the local mirror of the postgres store (postgres/mirror.ts), which holds the same
// rows with the same positions and hashes. One implementation of every read, so both stores answer alike.
import type Database from 'better-sqlite3';
import { type AuditCheckpointTable, auditCheckpointTable } from './audit-checkpoint-table.js';
import { PageStatementCache, iterateEvents } from './iterate-events.js';
import { firstStreamPositionAfter } from './position-search.js';
import { type PendingWrites, snapshotFromRow, timerFromRow } from './pending-writes.js';
import { eventsFromRows } from './recorded-event.js';
import { type Statements, type StreamRow, prepareStatements } from './statements.js';
import type { AuditCheckpoint, DurableTimer, EventFilter, RecordedEvent, Snapshot, StreamInfo, VerifyResult } from './types.js';
import { checkLimit, checkPosition } from './validate-append.js';
import { verifyChain } from './verify-chain.js';

/** The first text after every text that starts with `prefix` (its last code unit moved up by one). */
function prefixEnd(prefix: string): string {
  return prefix === '' ? '\u{10ffff}' : prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function streamInfo(r: StreamRow): StreamInfo {
  return { streamId: r.stream_id, streamType: r.stream_type, version: r.version, createdPosition: r.created_position };
}

export class LogReads {
  readonly st: Statements;
  readonly auditCheckpoints: AuditCheckpointTable;
  private readonly pages: PageStatementCache;

  constructor(
    private readonly db: Database.Database,
    /** writes queued and not yet in the tables (read-your-writes); none when the tables are always current */
    private readonly pending?: PendingWrites,
  ) {
    this.st = prepareStatements(db);
    this.pages = new PageStatementCache(db);
    this.auditCheckpoints = auditCheckpointTable(db);
  }

  readStream(streamId: string, fromStreamPosition = 1, limit?: number): RecordedEvent[] {
    const from = checkPosition(fromStreamPosition, 'fromStreamPosition');
    return eventsFromRows(this.st.readStream.all(streamId, from, limit === undefined ? -1 : checkLimit(limit, 'limit')));
  }

  readAll(afterPosition: number, limit: number): RecordedEvent[] {
    return eventsFromRows(this.st.readAll.all(checkPosition(afterPosition, 'afterPosition'), checkLimit(limit, 'limit')));
  }

  readStreamAfter(streamId: string, afterPosition: number, limit: number): RecordedEvent[] {
    const after = checkPosition(afterPosition, 'afterPosition');
    const from = firstStreamPositionAfter(this.st, streamId, after);
    return eventsFromRows(this.st.readStreamAfter.all(streamId, from, after, checkLimit(limit, 'limit')));
  }

  iterate(head: number, filter?: EventFilter): IterableIterator<RecordedEvent> {
    return iterateEvents(this.st, this.pages, head, filter);
  }

  streamVersion(streamId: string): number {
    return this.st.streamVersion.get(streamId) ?? 0;
  }

  listStreams(prefix?: string): StreamInfo[] {
    if (prefix === undefined || prefix === '') return this.st.allStreams.all().map(streamInfo);
    // Ids sharing a prefix are contiguous in the primary-key order: walk from the prefix, stop at the first miss.
    const found: StreamInfo[] = [];
    for (const r of this.st.streamsFrom.iterate(prefix)) {
      if (!r.stream_id.startsWith(prefix)) break;
      found.push(streamInfo(r));
    }
    return found.sort((a, b) => a.createdPosition - b.createdPosition);
  }

  lastEventTypes(prefix: string): Map<string, string> {
    const found = new Map<string, string>();
    for (const [streamId, type] of this.st.lastTypesFrom.iterate(prefix)) {
      if (!streamId.startsWith(prefix)) break;
      if (type !== '') found.set(streamId, type); // '': not known (see the schema's migration 3)
    }
    return found;
  }

  loadSnapshot(streamId: string): Snapshot | undefined {
    const row = this.pending?.snapshot(streamId) ?? this.st.getSnapshot.get(streamId);
    return row ? snapshotFromRow(row) : undefined;
  }

  listSnapshots(prefix: string): Map<string, Snapshot> {
    // one query for the whole prefix (ids sharing a prefix sort between it and its successor), not one per stream
    const found = new Map<string, Snapshot>();
    for (const r of this.st.snapshotsBetween.iterate(prefix, prefixEnd(prefix))) {
      if (r.stream_id.startsWith(prefix)) found.set(r.stream_id, snapshotFromRow(r));
    }
    // snapshots written since the last commit replace what the table had
    if (this.pending) for (const r of this.pending.snapshotRows()) if (r.stream_id.startsWith(prefix)) found.set(r.stream_id, snapshotFromRow(r));
    return found;
  }

  listTimers(): DurableTimer[] {
    const stored = this.st.allTimers.all();
    return (this.pending ? this.pending.mergeTimers(stored) : stored).map(timerFromRow);
  }

  getCheckpoint(processorId: string): number {
    return this.pending?.checkpoint(processorId) ?? this.st.getCheckpoint.get(processorId) ?? 0;
  }

  verifyChain(): VerifyResult {
    return verifyChain(this.db);
  }

  lastAuditCheckpoint(): AuditCheckpoint | undefined {
    return this.auditCheckpoints.last();
  }
}
