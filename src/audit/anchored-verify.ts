// The whole audit check of a database, in one read transaction (one consistent state of the file), in order:
//   1. the hash chain and the stream versions folded from it (src/store/verify-chain.ts);
//   2. the signed checkpoints in the database, in seq order: seqs 1..n without a gap, the MAC (when a key is
//      given), positions never going back, and each one's position inside the log with the signed hash there;
//   3. the checkpoints of a sink, when one is given: the same checks, and each must be in the database as written;
//   4. each expected head: the log still holds that event with that hash.
// The first problem wins. For a checkpoint problem, `first_bad_position` is the first position that no valid
// checkpoint vouches for (after the last one that checked out), or the position after the head when events were
// cut off; `checked` is then the positions before it. The rules are in checkpoint-mac.ts.
import type Database from 'better-sqlite3';
import { type AnchoredCheckpoint, auditCheckpointTable } from '../store/audit-checkpoint-table.js';
import type { AuditCheckpoint } from '../store/types.js';
import { type ChainWalk, walkChain } from '../store/verify-chain.js';
import type { AuditKey } from './audit-key.js';
import { macProblem } from './checkpoint-mac.js';
import type { SinkReading } from './checkpoint-sink.js';
import { type ExpectedHead, formatHead } from './expected-head.js';
import type { VerifyReport } from './verify-report.js';

export interface AnchorOptions {
  /** checks the MACs; without it only positions and hashes are compared (`checkpoints.mac: "unchecked"`) */
  key?: AuditKey;
  sink?: SinkReading;
  /** several at once: one walk answers every request waiting for it (verify-service.ts) */
  expectHeads?: readonly ExpectedHead[];
}

/** Plain data (it crosses from the verify worker to the main thread). */
export interface AnchoredVerification {
  /** the report without any expected head */
  report: VerifyReport;
  /** the failure report for each expected head (by its POSITION:HASH text) that the log does not hold */
  expectedHeadFailures: Record<string, VerifyReport>;
}

/** The report for one request: the base report, unless it passed and the request's expected head did not. */
export function reportFor(v: AnchoredVerification, expectHead?: ExpectedHead): VerifyReport {
  if (!v.report.ok || expectHead === undefined) return v.report;
  return v.expectedHeadFailures[formatHead(expectHead)] ?? v.report;
}

class Failed {
  constructor(readonly position: number, readonly reason: string, readonly seq?: number) {}
}

export function verifyAnchored(db: Database.Database, o: AnchorOptions = {}): AnchoredVerification {
  return db.transaction(() => {
    const table = auditCheckpointTable(db);
    const hashAt = db.prepare<[number], string>('SELECT hash FROM events WHERE position = ?').pluck(true);
    return verifyLogState({ walk: walkChain(db), checkpoints: () => table.iterateWithEventHash(), hashAt: (p) => hashAt.get(p) ?? null, bySeq: (seq) => table.bySeq(seq) }, o);
  })();
}

/** One consistent state of a log, as the anchored check reads it: the SQLite file, or PostgreSQL's tables. */
export interface LogState {
  /** the chain walk of that state */
  walk: ChainWalk;
  /** the signed checkpoints in seq order, each with the stored hash of the event it names */
  checkpoints(): Iterable<AnchoredCheckpoint>;
  /** the stored hash at a position (null: no such event) */
  hashAt(position: number): string | null;
  bySeq(seq: number): AuditCheckpoint | undefined;
}

/** The anchored check of one state of a log (the walk already done). */
export function verifyLogState(state: LogState, o: AnchorOptions = {}): AnchoredVerification {
  const walk = state.walk;
  if (!walk.result.ok) return { report: verifyChainReport(walk.result), expectedHeadFailures: {} };
  const head = walk.head;
  const table = { iterateWithEventHash: state.checkpoints, bySeq: state.bySeq };
  const hashAt = { get: state.hashAt };
  const anchors = new AnchorCheck(head.position, o.key);
  const summary: NonNullable<VerifyReport['checkpoints']> = { count: 0, last_position: null, mac: o.key ? 'verified' : 'unchecked' };
  const fail = (f: Failed): VerifyReport => ({
    ok: false,
    checked: f.position - 1,
    first_bad_position: f.position,
    reason: f.reason,
    ...(f.seq === undefined ? {} : { checkpoint_seq: f.seq }),
  });
  const failed = (f: Failed | undefined): AnchoredVerification | undefined => (f ? { report: fail(f), expectedHeadFailures: {} } : undefined);

  let previous: AuditCheckpoint | undefined;
  for (const { checkpoint: c, eventHash } of table.iterateWithEventHash()) {
    summary.count += 1;
    const problem = outOfSequence(previous, c, anchors) ?? anchors.check(c, eventHash, `audit checkpoint ${c.seq}`);
    if (problem) return failed(problem)!;
    previous = c;
    summary.last_position = c.position;
  }

  if (o.sink !== undefined) {
    if (!o.sink.ok) return failed(anchors.unvouched(o.sink.reason))!;
    summary.sink = o.sink.checkpoints.length;
    for (const { line, checkpoint: c } of o.sink.checkpoints) {
      const what = `the sink's audit checkpoint ${c.seq} (line ${line})`;
      const problem = anchors.check(c, hashAt.get(c.position) ?? null, what) ?? sameAsStored(table, c, what, anchors);
      if (problem) return failed(problem)!;
    }
  }

  const report: VerifyReport = { ok: true, checked: walk.result.checked, head: formatHead(head), checkpoints: summary };
  const expectedHeadFailures: Record<string, VerifyReport> = {};
  for (const e of o.expectHeads ?? []) {
    const problem =
      e.position > head.position
        ? new Failed(head.position + 1, `the expected head ${e.position} is beyond the log's end (${head.position}): events were removed`)
        : hashAt.get(e.position) !== e.hash
          ? new Failed(e.position, `the event at position ${e.position} does not have the expected hash: the log was rewritten at or before it`)
          : undefined;
    if (problem) expectedHeadFailures[formatHead(e)] = fail(problem);
  }
  return { report, expectedHeadFailures };
}

/** The chain-only report (the fields the chain walk has always given). */
function verifyChainReport(r: { ok: false; checked: number; firstBadPosition: number; reason: string }): VerifyReport {
  return { ok: false, checked: r.checked, first_bad_position: r.firstBadPosition, reason: r.reason };
}

/** Checks one checkpoint against the key and the log; remembers how far valid checkpoints vouch. */
class AnchorCheck {
  /** the highest position a checkpoint that checked out has vouched for */
  private vouched = 0;

  constructor(private readonly head: number, private readonly key: AuditKey | undefined) {}

  unvouched(reason: string, seq?: number): Failed {
    return new Failed(this.vouched + 1, reason, seq);
  }

  check(c: AuditCheckpoint, eventHash: string | null, what: string): Failed | undefined {
    const mac = this.key ? macProblem(this.key.bytes, this.key.id, c) : undefined;
    if (mac) return this.unvouched(`${what} ${mac}`, c.seq);
    if (c.position > this.head) {
      return new Failed(this.head + 1, `the log ends at position ${this.head} but ${what} signed position ${c.position}: events ${this.head + 1}..${c.position} were removed`, c.seq);
    }
    if (eventHash !== c.hash) {
      return new Failed(Math.min(this.vouched, c.position - 1) + 1, `the event at position ${c.position} does not have the hash ${what} signed: the log was rewritten at or before position ${c.position}`, c.seq);
    }
    this.vouched = Math.max(this.vouched, c.position);
    return undefined;
  }
}

/** Seqs run 1, 2, 3, ... (a gap is a deleted checkpoint) and positions never go back. */
function outOfSequence(previous: AuditCheckpoint | undefined, c: AuditCheckpoint, anchors: AnchorCheck): Failed | undefined {
  const expected = (previous?.seq ?? 0) + 1;
  if (c.seq !== expected) {
    const which = c.seq - expected > 1 ? `s ${expected}..${c.seq - 1} are` : ` ${expected} is`;
    return anchors.unvouched(`audit checkpoint${which} missing from the database (deleted)`, expected);
  }
  if (previous !== undefined && c.position < previous.position) {
    return anchors.unvouched(`audit checkpoint ${c.seq} signs position ${c.position}, before checkpoint ${previous.seq}'s ${previous.position}`, c.seq);
  }
  return undefined;
}

function sameAsStored(table: Pick<LogState, 'bySeq'>, c: AuditCheckpoint, what: string, anchors: AnchorCheck): Failed | undefined {
  const stored = table.bySeq(c.seq);
  if (!stored) return anchors.unvouched(`${what} is missing from the database (checkpoints were deleted)`, c.seq);
  if (stored.position !== c.position || stored.hash !== c.hash || stored.at !== c.at || stored.keyId !== c.keyId || stored.mac !== c.mac) {
    return anchors.unvouched(`${what} differs from the database's checkpoint ${c.seq}`, c.seq);
  }
  return undefined;
}
