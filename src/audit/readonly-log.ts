// The event log of a database file opened READ-ONLY, for audits offline (a copy, a backup, or the live file of a
// running gateway: WAL lets a reader in beside the writer). Nothing is migrated and nothing is written to the
// database; SQLite itself may create the -wal/-shm side files next to a WAL-mode file in order to read it.
// A file this build cannot read correctly (not SQLite, not an aintegrix log, a schema version it does not know) is
// refused with a message that says so.
import Database from 'better-sqlite3';
import { PageStatementCache, iterateEvents } from '../store/iterate-events.js';
import { currentSchemaVersion, SCHEMA_VERSION } from '../store/schema.js';
import { prepareStatements, type Statements } from '../store/statements.js';
import { auditCheckpointTable } from '../store/audit-checkpoint-table.js';
import type { AuditCheckpoint, EventFilter, RecordedEvent, VerifyResult } from '../store/types.js';
import { verifyChain } from '../store/verify-chain.js';
import { type AnchorOptions, type AnchoredVerification, verifyAnchored } from './anchored-verify.js';
import type { AuditSource } from './verify-report.js';

/** The file cannot be audited by this build; the message says why. */
export class AuditOpenError extends Error {
  override readonly name = 'AuditOpenError';
}

export interface ReadOnlyLog extends AuditSource {
  readonly path: string;
  readonly schemaVersion: number;
  /** position of the newest event (0 for an empty log) */
  headPosition(): number;
  /** the signed checkpoints that sign a position up to `upTo`, in seq order (lazily) */
  checkpoints(upTo: number): IterableIterator<AuditCheckpoint>;
  /** the chain, the signed checkpoints, a sink and expected heads, in one read transaction (anchored-verify.ts) */
  verifyAnchored(options?: AnchorOptions): AnchoredVerification;
  close(): void;
}

export function openReadOnlyLog(path: string): ReadOnlyLog {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new AuditOpenError(`cannot open ${path}: ${sqliteMessage(e)}`);
  }
  try {
    const schemaVersion = checkSchema(db, path);
    return new SqliteReadOnlyLog(db, path, schemaVersion);
  } catch (e) {
    db.close();
    throw e;
  }
}

function checkSchema(db: Database.Database, path: string): number {
  let tables: Set<string>;
  try {
    tables = new Set(db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck(true).all());
  } catch (e) {
    throw new AuditOpenError(`cannot read ${path}: ${sqliteMessage(e)}`);
  }
  if (!tables.has('schema_migrations') || !tables.has('events') || !tables.has('streams')) {
    throw new AuditOpenError(`${path} is not an aintegrix event log (no schema_migrations/events/streams tables)`);
  }
  const version = currentSchemaVersion(db);
  // Versions 1..SCHEMA_VERSION are the ones this build's migrations created; anything else has a layout it does
  // not know, and a wrong reading of it would be a wrong audit.
  if (version < 1 || version > SCHEMA_VERSION) {
    throw new AuditOpenError(
      `${path} has event log schema version ${version}, which this build does not know (it reads 1..${SCHEMA_VERSION}); ` +
        'use the aintegrix version that wrote it',
    );
  }
  return version;
}

function sqliteMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB') return 'not an SQLite database';
  if (code === 'SQLITE_CANTOPEN') return 'no such file, or it cannot be opened for reading';
  return e.message;
}

class SqliteReadOnlyLog implements ReadOnlyLog {
  // Preparing the store's statements also prepares its writes; SQLite only refuses those when run, and none is.
  private readonly st: Statements;
  private readonly pages: PageStatementCache;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly schemaVersion: number,
  ) {
    this.st = prepareStatements(db);
    this.pages = new PageStatementCache(db);
  }

  verifyChain(): VerifyResult {
    return verifyChain(this.db);
  }

  *checkpoints(upTo: number): IterableIterator<AuditCheckpoint> {
    for (const { checkpoint } of auditCheckpointTable(this.db).iterateWithEventHash()) if (checkpoint.position <= upTo) yield checkpoint;
  }

  verifyAnchored(options: AnchorOptions = {}): AnchoredVerification {
    return verifyAnchored(this.db, options);
  }

  iterate(filter: EventFilter = {}): IterableIterator<RecordedEvent> {
    return iterateEvents(this.st, this.pages, this.headPosition(), filter);
  }

  headPosition(): number {
    return this.st.head.get()?.[0] ?? 0;
  }

  close(): void {
    this.db.close();
  }
}
