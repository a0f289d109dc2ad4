// fdatasync latency of this disk (runtime-tech.md §5's fsync.js): append 4 KiB and fdatasync, N times, on a file
// in the folder of the database, so that it is the same file system and device. (`mode: 'fsync'` for fsync, which
// is what this build of SQLite calls at each WAL commit, as strace shows.)
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

export function fdatasyncLatency(dir: string, n: number, size = 4096, mode: 'fdatasync' | 'fsync' = 'fdatasync'): FsyncResult {
  const path = join(dir, `fsync-bench-${process.pid}.dat`);
  const buf = Buffer.alloc(size, 97);
  const fd = openSync(path, 'w');
  const lat: number[] = [];
  const t0 = performance.now();
  try {
    for (let i = 0; i < n; i++) {
      const a = performance.now();
      writeSync(fd, buf);
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
