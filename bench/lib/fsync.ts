// fdatasync latency of this disk (runtime-tech.md §5's fsync.js): append 4 KiB and fdatasync, N times, on a file
// in the folder of the database, so that it is the same file system and device. (`mode: 'fsync'` for fsync, which
// is what this build of SQLite calls at each WAL commit, as strace shows.)
// `pattern: 'overwrite'` writes the 4 KiB blocks in place in a file that already has them, as SQLite writes its WAL
// between checkpoints (the WAL restarts from its start and keeps its size): no block to allocate and no size to
// record in the file system's journal.
import { closeSync, fdatasyncSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from './stats.js';

export interface FsyncResult {
  n: number;
  size: number;
  p50_us: number;
  p99_us: number;
  per_s: number;
}

/** blocks of the file an overwrite run writes in turn (1 MiB at 4 KiB: a WAL of a few hundred commits) */
const OVERWRITTEN_BLOCKS = 256;

export function fdatasyncLatency(
  dir: string,
  n: number,
  size = 4096,
  mode: 'fdatasync' | 'fsync' = 'fdatasync',
  pattern: 'append' | 'overwrite' = 'append',
): FsyncResult {
  const path = join(dir, `fsync-bench-${process.pid}.dat`);
  const buf = Buffer.alloc(size, 97);
  const fd = openSync(path, 'w');
  const lat: number[] = [];
  if (pattern === 'overwrite') {
    for (let i = 0; i < OVERWRITTEN_BLOCKS; i++) writeSync(fd, buf);
    fsyncSync(fd);
  }
  const t0 = performance.now();
  try {
    for (let i = 0; i < n; i++) {
      const a = performance.now();
      if (pattern === 'overwrite') writeSync(fd, buf, 0, size, (i % OVERWRITTEN_BLOCKS) * size);
      else writeSync(fd, buf);
      if (mode === 'fsync') fsyncSync(fd);
      else fdatasyncSync(fd);
      lat.push((performance.now() - a) * 1000);
    }
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
  const s = summarize(lat);
  return { n, size, p50_us: s.p50, p99_us: s.p99, per_s: n / ((performance.now() - t0) / 1000) };
}
