// Opens the SQLite file with the settings the event log relies on, then brings its schema up to date.
import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { migrate } from './schema.js';
import type { Durability } from './types.js';

/** Bound on the WAL file left behind after a checkpoint lets the WAL restart (bytes). */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
// This process is the only writer, so a lock held by someone else means something is wrong (a second gateway on
// the same file, a tool holding a write transaction). Wait a little for it, but not long: better-sqlite3 waits
// synchronously, i.e. with the event loop blocked. After that the batch fails with SQLITE_BUSY.
const BUSY_TIMEOUT_MS = 250;
/**
 * The page cache of the store's own connection (reads; also writes under fast durability), in KiB: SQLite's own
 * default, where better-sqlite3 builds with 16 MB. A reader's cache serves only until the next commit (a read
 * transaction that finds a newer WAL drops it), so a big one mostly kept what boot read: ~9 KiB per restored idle
 * session over 1 000 sessions (idle-rss 12.1 -> 3.8 KiB). The writer thread's connection keeps the 16 MB: its
 * cache is the write working set, one index leaf per active stream (measured under fast durability with 5 000
 * active streams: 0.67 page reads per appended event at 2 MB against 0.37 at 16 MB; 0.29 vs 0.24 with 100).
 */
const READ_CACHE_KIB = 2048;
/** The writer thread's page cache, in KiB (better-sqlite3's default, set here so that no build default decides it). */
export const WRITE_CACHE_KIB = 16_000;

export function openDatabase(path: string, durability: Durability): Database.Database {
  makePrivate(path);
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && path !== ':memory:') {
      throw new Error(`cannot switch ${path} to WAL journal mode (SQLite answered "${String(mode)}")`);
    }
    // FULL: fsync the WAL at every commit, so an acknowledged append survives power loss. NORMAL: survives a
    // process crash; an OS crash may lose the last commits (the database stays consistent).
    db.pragma(`synchronous = ${durability === 'fast' ? 'NORMAL' : 'FULL'}`);
    db.pragma('wal_autocheckpoint = 0'); // see wal-checkpointer.ts
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    db.pragma(`cache_size = -${READ_CACHE_KIB}`);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The log is the gateway's alone: the file is created 0600 before SQLite opens it (SQLite gives -wal and -shm the
 * mode of the database file), and files an older version left 0644 are tightened.
 */
function makePrivate(path: string): void {
  if (path === ':memory:') return;
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/**
 * The writer thread's own connection to a file openDatabase already prepared (WAL mode and the schema persist in
 * the file; `synchronous` and the checkpoint settings are per connection, so they are set again here).
 */
export function openWriteConnection(path: string, durability: Durability): Database.Database {
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  try {
    db.pragma(`synchronous = ${durability === 'fast' ? 'NORMAL' : 'FULL'}`);
    db.pragma('wal_autocheckpoint = 0'); // see wal-checkpointer.ts
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    db.pragma(`cache_size = -${WRITE_CACHE_KIB}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
