// Counting SQLite commits from outside the gateway, by reading its WAL file. Every transaction appends its pages
// to the WAL and marks its last frame as a commit frame (the frame header's "database size after commit" field is
// non-zero only there); under synchronous=FULL each commit is followed by one sync of the WAL. Frames of the
// current WAL generation carry the salts of the WAL header; when a checkpoint lets the WAL restart, the salts
// change and the file is overwritten from the start. So the commit frames of the current generation are exactly
// the transactions since the WAL last restarted — events, snapshots, whatever they wrote.
// (Format: https://www.sqlite.org/fileformat.html#the_write_ahead_log)
//
// A WalCounter reads incrementally and adds up generations: polled often enough, it misses only the commits that
// fall between its last poll and a restart (it says how many restarts it saw).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const HEADER = 32;
const FRAME_HEADER = 24;

export interface CommitCount {
  commits: number;
  /** WAL restarts seen (0: the count is exact) */
  restarts: number;
}

export class WalCounter {
  private salt1 = -1;
  private salt2 = -1;
  private offset = HEADER;
  private generationCommits = 0;
  private earlierCommits = 0;
  private baseline: number | undefined;
  private restartsSeen = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly header = Buffer.alloc(HEADER);
  private readonly frame = Buffer.alloc(FRAME_HEADER);

  constructor(private readonly walPath: string) {}

  /** Take the starting point now, and poll every `intervalMs` (0: only when asked) until `stop()`. */
  start(intervalMs = 0): this {
    this.poll();
    this.baseline = this.total();
    if (intervalMs > 0) this.timer = setInterval(() => this.poll(), intervalMs);
    return this;
  }

  stop(): CommitCount {
    if (this.timer) clearInterval(this.timer);
    this.poll();
    return { commits: this.total() - (this.baseline ?? 0), restarts: this.restartsSeen };
  }

  private total(): number {
    return this.earlierCommits + this.generationCommits;
  }

  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.walPath, 'r');
    } catch {
      return; // no WAL yet
    }
    try {
      const size = fstatSync(fd).size;
      if (size < HEADER) return;
      readSync(fd, this.header, 0, HEADER, 0);
      const pageSize = this.header.readUInt32BE(8);
      const salt1 = this.header.readUInt32BE(16);
      const salt2 = this.header.readUInt32BE(20);
      if (salt1 !== this.salt1 || salt2 !== this.salt2) {
        if (this.salt1 !== -1) this.restartsSeen++;
        this.salt1 = salt1;
        this.salt2 = salt2;
        this.earlierCommits += this.generationCommits;
        this.generationCommits = 0;
        this.offset = HEADER;
      }
      const f = this.frame;
      for (; this.offset + FRAME_HEADER + pageSize <= size; this.offset += FRAME_HEADER + pageSize) {
        readSync(fd, f, 0, FRAME_HEADER, this.offset);
        if (f.readUInt32BE(8) !== salt1 || f.readUInt32BE(12) !== salt2) break; // a stale frame: the end of this generation
        if (f.readUInt32BE(4) !== 0) this.generationCommits++;
      }
    } finally {
      closeSync(fd);
    }
  }
}
