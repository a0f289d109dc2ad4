// WAL checkpoints, kept off the append path. SQLite's automatic checkpoint runs *inside* the commit that crosses
// the threshold (the 4.5-9 ms p99 commit spikes measured in runtime-tech.md §4(b)), so it is switched off
// (wal_autocheckpoint=0) and this runs `PRAGMA wal_checkpoint(PASSIVE)` instead:
// - when the writer has been idle for `idleMs` (an unref'd timer, refreshed on every commit), and
// - between batches once ~FORCE_AFTER_BYTES went into the WAL without an idle moment, so that a store under
//   constant load still bounds its WAL (journal_size_limit then truncates the file when the WAL restarts).
// PASSIVE never waits for readers or writers; what it cannot copy now is copied next time.
import type Database from 'better-sqlite3';

// 4 MiB, SQLite's own autocheckpoint default. The WAL restarts from its start after a checkpoint, so its file stays
// near this size and commits overwrite blocks it already has: a commit that has to grow the file costs an fsync of
// the file's metadata as well, measured ~3x slower (2.4 ms against 0.7-0.8 ms p50 under synchronous=FULL here).
const FORCE_AFTER_BYTES = 4 * 1024 * 1024;

export class WalCheckpointer {
  private dirty = false;
  private bytesSinceCheckpoint = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private forced: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database.Database,
    private readonly idleMs: number,
    private readonly reportError: (error: unknown, context: string) => void,
  ) {}

  /** A commit wrote about `bytes` to the WAL. */
  noteWrite(bytes: number): void {
    if (this.stopped) return;
    this.dirty = true;
    this.bytesSinceCheckpoint += bytes;
    if (this.bytesSinceCheckpoint >= FORCE_AFTER_BYTES && this.forced === undefined) {
      this.forced = setImmediate(() => {
        this.forced = undefined;
        this.checkpoint();
      });
    }
    if (this.idleTimer === undefined) {
      this.idleTimer = setTimeout(() => this.checkpoint(), this.idleMs);
      this.idleTimer.unref();
    } else {
      this.idleTimer.refresh();
    }
  }

  /** Run a passive checkpoint now if anything was written since the last one. */
  checkpoint(): void {
    if (this.stopped || !this.dirty || !this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.dirty = false;
      this.bytesSinceCheckpoint = 0;
    } catch (err) {
      this.reportError(err, 'wal checkpoint (passive) failed');
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (this.forced !== undefined) clearImmediate(this.forced);
    this.idleTimer = undefined;
    this.forced = undefined;
  }
}
