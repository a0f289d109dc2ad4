// Snapshot, timer and checkpoint writes waiting for the next batch. They are keyed upserts, so a later write of
// the same key replaces an earlier one before it ever reaches SQLite. Reads consult these maps first
// (read-your-writes), then the database.
import type { Statements, SnapshotRow, TimerRow } from './statements.js';
import type { DurableTimer, Snapshot } from './types.js';
import { checkIdText, checkPosition, checkStreamId, toJsonText } from './validate-append.js';

/** One batch's worth of side writes; `null` in `timers` means "delete". */
export interface SideWrites {
  snapshots: Map<string, SnapshotRow>;
  timers: Map<string, TimerRow | null>;
  checkpoints: Map<string, number>;
}

const emptySideWrites = (): SideWrites => ({ snapshots: new Map(), timers: new Map(), checkpoints: new Map() });

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

  get isEmpty(): boolean {
    return this.current.snapshots.size === 0 && this.current.timers.size === 0 && this.current.checkpoints.size === 0;
  }

  /** Timer and checkpoint writes are due in the next batch; snapshots alone may wait (see AppendQueue.scheduleLazy). */
  get hasUrgent(): boolean {
    return this.current.timers.size > 0 || this.current.checkpoints.size > 0;
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

  /** The queued snapshot for a stream, if any. */
  snapshot(streamId: string): SnapshotRow | undefined {
    return this.current.snapshots.get(streamId);
  }

  /** Snapshots written since the last commit. */
  snapshotRows(): IterableIterator<SnapshotRow> {
    return this.current.snapshots.values();
  }

  checkpoint(processorId: string): number | undefined {
    return this.current.checkpoints.get(processorId);
  }

  /** Stored timers with the queued sets and clears applied, earliest first. */
  mergeTimers(stored: TimerRow[]): TimerRow[] {
    if (this.current.timers.size === 0) return stored;
    const merged = new Map<string, TimerRow>();
    for (const r of stored) merged.set(timerKey(r.stream_id, r.timer_id), r);
    for (const [key, r] of this.current.timers) {
      if (r === null) merged.delete(key);
      else merged.set(key, r);
    }
    return [...merged.values()].sort(
      (a, b) => a.due_at - b.due_at || cmp(a.stream_id, b.stream_id) || cmp(a.timer_id, b.timer_id),
    );
  }

  /** Hand the queued writes to a batch; new writes collect for the next one. */
  take(): SideWrites {
    const taken = this.current;
    this.current = emptySideWrites();
    return taken;
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Write one batch's side writes (inside the batch transaction). */
export function applySideWrites(st: Statements, w: SideWrites): void {
  for (const r of w.snapshots.values()) st.upsertSnapshot.run(r.stream_id, r.stream_position, r.machine_version, r.snapshot);
  for (const [key, r] of w.timers) {
    if (r !== null) st.upsertTimer.run(r.stream_id, r.timer_id, r.due_at, r.event);
    else {
      const sep = key.indexOf('\u0000');
      st.deleteTimer.run(key.slice(0, sep), key.slice(sep + 1));
    }
  }
  for (const [id, position] of w.checkpoints) st.upsertCheckpoint.run(id, position);
}

export function sideWriteCount(w: SideWrites): number {
  return w.snapshots.size + w.timers.size + w.checkpoints.size;
}
