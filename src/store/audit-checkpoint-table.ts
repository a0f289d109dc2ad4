// The `audit_checkpoints` table: signed checkpoints of the log's head (the signing rule is
// src/audit/checkpoint-mac.ts; the store only keeps the rows). Written beside the group commit, one small
// transaction per checkpoint (one every `audit.checkpoint_every_*`), so the append path is not touched.
// A database written before schema version 2 has no such table: readers then see no checkpoints.
import type Database from 'better-sqlite3';

/** One signed checkpoint, as stored. */
export interface AuditCheckpoint {
  /** 1, 2, 3, ... in signing order */
  seq: number;
  /** the head that was signed: the position of the newest event then (>= 1) */
  position: number;
  /** the stored hash of the event at `position` */
  hash: string;
  /** when it was signed, ms since the epoch */
  at: number;
  /** which key signed it (see checkpoint-mac.ts) */
  keyId: string;
  /** HMAC-SHA256 of the canonical text, lowercase hex */
  mac: string;
}

type Row = [seq: number, position: number, hash: string, at: number, keyId: string, mac: string];
type JoinedRow = [...Row, eventHash: string | null];

/** A checkpoint with the stored hash of the event at its position (null when the log has no such event). */
export interface AnchoredCheckpoint {
  checkpoint: AuditCheckpoint;
  eventHash: string | null;
}

const COLUMNS = 'seq, position, hash, at, key_id, mac';

export interface AuditCheckpointTable {
  /**
   * Every checkpoint in seq order with the hash of the event it names, lazily, in one statement (a long-running
   * gateway has many; and better-sqlite3 allows no other statement on the connection while a cursor is open).
   */
  iterateWithEventHash(): IterableIterator<AnchoredCheckpoint>;
  last(): AuditCheckpoint | undefined;
  bySeq(seq: number): AuditCheckpoint | undefined;
  insert(cp: AuditCheckpoint): void;
}

const fromRow = (r: Row): AuditCheckpoint => ({ seq: r[0], position: r[1], hash: r[2], at: r[3], keyId: r[4], mac: r[5] });

/** Statements on the table, or an empty table when the database predates it (a read-only audit of an old file). */
export function auditCheckpointTable(db: Database.Database): AuditCheckpointTable {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_checkpoints'").get() !== undefined;
  if (!exists) {
    return {
      *iterateWithEventHash() {},
      last: () => undefined,
      bySeq: () => undefined,
      insert: () => {
        throw new Error('this database has no audit_checkpoints table (schema version 1)');
      },
    };
  }
  const all = db
    .prepare<[], JoinedRow>(
      'SELECT c.seq, c.position, c.hash, c.at, c.key_id, c.mac, e.hash FROM audit_checkpoints c ' +
        'LEFT JOIN events e ON e.position = c.position ORDER BY c.seq',
    )
    .raw(true);
  const last = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).raw(true);
  const bySeq = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM audit_checkpoints WHERE seq = ?`).raw(true);
  const insert = db.prepare(`INSERT INTO audit_checkpoints (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`);
  return {
    *iterateWithEventHash() {
      for (const r of all.iterate()) yield { checkpoint: fromRow(r as unknown as Row), eventHash: r[6] };
    },
    last: () => {
      const r = last.get();
      return r ? fromRow(r) : undefined;
    },
    bySeq: (seq) => {
      const r = bySeq.get(seq);
      return r ? fromRow(r) : undefined;
    },
    insert: (cp) => void insert.run(cp.seq, cp.position, cp.hash, cp.at, cp.keyId, cp.mac),
  };
}
