// Snapshot, timer, checkpoint and audit-checkpoint writes waiting for the next batch. The first three are keyed
// upserts, so a later write of the same key replaces an earlier one before it ever reaches SQLite. Reads consult these maps
// first (read-your-writes), then the batches the writer thread is committing, then the database: a write stays
// visible from the call until its commit is in the database (or its batch failed, and it is lost with it).
import type { AuditCheckpointTable } from './audit-checkpoint-table.js';
import type { Statements, SnapshotRow, TimerRow } from './statements.js';
import type { AuditCheckpoint, DurableTimer, Snapshot } from './types.js';
import { InvalidArgumentError } from './errors.js';
import { checkIdText, checkPosition, checkStreamId, toJsonText } from './validate-append.js';

/** One batch's worth of side writes; `null` in `timers` means "delete". */
export interface SideWrites {
  snapshots: Map<string, SnapshotRow>;
  timers: Map<string, TimerRow | null>;
  checkpoints: Map<string, number>;
  /** signed checkpoints of the head, in seq order (the postgres store keeps its own, beside) */
  audit?: AuditCheckpoint[];
}

const emptySideWrites = (): SideWrites => ({ snapshots: new Map(), timers: new Map(), checkpoints: new Map(), audit: [] });

// Ids cannot contain control characters (checked), so NUL separates the two parts of a timer key unambiguously.
const timerKey = (streamId: string, timerId: string): string => `${streamId}\u0000${timerId}`;

export function timerFromRow(r: TimerRow): DurableTimer {
  return { streamId: r.stream_id, timerId: r.timer_id, dueAt: r.due_at, event: JSON.parse(r.event) as unknown };
}

export function snapshotFromRow(r: SnapshotRow): Snapshot {
  return {
    streamId: r.stream_id,
    streamPosition: r.stream_position,
    machineVersion: r.machine_version,
    snapshot: JSON.parse(r.snapshot) as unknown,
  };
}

export class PendingWrites {
  private current: SideWrites = emptySideWrites();
  /** the writes of the batches being committed (oldest first: a later batch's write wins), until their outcome is known */
  private committing: SideWrites[] = [];

  get isEmpty(): boolean {
    return sideWriteCount(this.current) === 0;
  }

  /** Only snapshots may wait for a batch of events (see AppendQueue.scheduleLazy); the rest is due in the next one. */
  get hasUrgent(): boolean {
    return this.current.timers.size > 0 || this.current.checkpoints.size > 0 || (this.current.audit?.length ?? 0) > 0;
  }

  saveSnapshot(s: Snapshot): void {
    const streamId = s?.streamId;
    checkStreamId(streamId);
    const row: SnapshotRow = {
      stream_id: streamId,
      stream_position: checkPosition(s.streamPosition, 'snapshot streamPosition'),
      machine_version: checkIdText(s.machineVersion, 'snapshot machineVersion', 256),
      snapshot: toJsonText(s.snapshot, 'snapshot'),
    };
    this.current.snapshots.set(streamId, row);
  }

  setTimer(t: DurableTimer): void {
    const streamId = t?.streamId;
    checkStreamId(streamId);
    const row: TimerRow = {
      stream_id: streamId,
      timer_id: checkIdText(t.timerId, 'timerId', 256),
      due_at: checkPosition(t.dueAt, 'timer dueAt'),
      event: toJsonText(t.event, 'timer event'),
    };
    this.current.timers.set(timerKey(row.stream_id, row.timer_id), row);
  }

  clearTimer(streamId: string, timerId: string): void {
    checkStreamId(streamId);
    checkIdText(timerId, 'timerId', 256);
    this.current.timers.set(timerKey(streamId, timerId), null);
  }

  setCheckpoint(processorId: string, position: number): void {
    checkIdText(processorId, 'processorId', 256);
    this.current.checkpoints.set(processorId, checkPosition(position, 'checkpoint position'));
  }

  /** `lastSeq`: the newest seq stored or queued; checked now so a bad row can never fail a batch of events. */
  saveAuditCheckpoint(cp: AuditCheckpoint, lastSeq: number): void {
    const seq = checkPosition(cp?.seq, 'audit checkpoint seq');
    if (seq <= lastSeq) throw new InvalidArgumentError(`audit checkpoint seq ${seq} is not after the newest one (${lastSeq})`);
    (this.current.audit ??= []).push({
      seq,
      position: checkPosition(cp.position, 'audit checkpoint position'),
      hash: checkIdText(cp.hash, 'audit checkpoint hash', 256),
      at: checkPosition(cp.at, 'audit checkpoint at'),
      keyId: checkIdText(cp.keyId, 'audit checkpoint keyId', 256),
      mac: checkIdText(cp.mac, 'audit checkpoint mac', 256),
    });
  }

  /** The queued snapshot for a stream, if any. */
  snapshot(streamId: string): SnapshotRow | undefined {
    let row = this.current.snapshots.get(streamId);
    for (let i = this.committing.length - 1; row === undefined && i >= 0; i--) row = this.committing[i]!.snapshots.get(streamId);
    return row;
  }

  /** Snapshots written and not yet in the database, older first (a later row of the same stream wins). */
  *snapshotRows(): IterableIterator<SnapshotRow> {
    for (const layer of this.committing) yield* layer.snapshots.values();
    yield* this.current.snapshots.values();
  }

  checkpoint(processorId: string): number | undefined {
    let position = this.current.checkpoints.get(processorId);
    for (let i = this.committing.length - 1; position === undefined && i >= 0; i--) position = this.committing[i]!.checkpoints.get(processorId);
    return position;
  }

  /** The newest audit checkpoint not yet in the database, if any. */
  lastAuditCheckpoint(): AuditCheckpoint | undefined {
    let last = this.current.audit?.at(-1);
    for (let i = this.committing.length - 1; last === undefined && i >= 0; i--) last = this.committing[i]!.audit?.at(-1);
    return last;
  }

  /** Stored timers with the queued sets and clears applied, earliest first. */
  mergeTimers(stored: TimerRow[]): TimerRow[] {
    if (this.current.timers.size === 0 && this.committing.every((layer) => layer.timers.size === 0)) return stored;
    const merged = new Map<string, TimerRow>();
    for (const r of stored) merged.set(timerKey(r.stream_id, r.timer_id), r);
    for (const layer of [...this.committing.map((c) => c.timers), this.current.timers]) {
      for (const [key, r] of layer) {
        if (r === null) merged.delete(key);
        else merged.set(key, r);
      }
    }
    return [...merged.values()].sort(
      (a, b) => a.due_at - b.due_at || cmp(a.stream_id, b.stream_id) || cmp(a.timer_id, b.timer_id),
    );
  }

  /** Hand the queued writes to a batch; new writes collect for the next one. They stay readable until `settled`. */
  take(): SideWrites {
    const taken = this.current;
    this.current = emptySideWrites();
    if (sideWriteCount(taken) > 0) this.committing.push(taken);
    return taken;
  }

  /** The batch that took `taken` committed (its writes are in the database now) or failed (they are lost). */
  settled(taken: SideWrites): void {
    const i = this.committing.indexOf(taken);
    if (i !== -1) this.committing.splice(i, 1);
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Write one batch's side writes (inside the batch transaction). */
export function applySideWrites(st: Statements, w: SideWrites, audit?: AuditCheckpointTable): void {
  for (const r of w.snapshots.values()) st.upsertSnapshot.run(r.stream_id, r.stream_position, r.machine_version, r.snapshot);
  for (const [key, r] of w.timers) {
    if (r !== null) st.upsertTimer.run(r.stream_id, r.timer_id, r.due_at, r.event);
    else {
      const sep = key.indexOf('\u0000');
      st.deleteTimer.run(key.slice(0, sep), key.slice(sep + 1));
    }
  }
  for (const [id, position] of w.checkpoints) st.upsertCheckpoint.run(id, position);
  if (w.audit !== undefined && w.audit.length > 0) {
    if (audit === undefined) throw new Error('applySideWrites: audit checkpoints to write but no audit_checkpoints table');
    for (const cp of w.audit) audit.insert(cp);
  }
}

export function sideWriteCount(w: SideWrites): number {
  return w.snapshots.size + w.timers.size + w.checkpoints.size + (w.audit?.length ?? 0);
}
