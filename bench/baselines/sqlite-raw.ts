// The baseline of durable appends: raw better-sqlite3 inserts of the same rows the store writes (same schema and
// pragmas — the store's own openDatabase: WAL, synchronous=FULL — and the same off-path checkpoint policy), 100
// rows per transaction, round-robin over 100 streams, for `seconds`. No hashing, no version checks, no queue:
// what SQLite itself costs for these rows on this disk.
// usage: node sqlite-raw.js '{"dir": "...", "seconds": 3}' → one JSON line
import { join } from 'node:path';
import { WRITE_CACHE_KIB, openDatabase } from '../../src/store/open-database.js';
import { WalCheckpointer } from '../../src/store/wal-checkpointer.js';
import { CHUNK_META, STREAMS, chunkEventData, streamId } from '../lib/acp-rows.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { dir: string; seconds: number; perTxn?: number };
const perTxn = spec.perTxn ?? 100;
const db = openDatabase(join(spec.dir, 'raw.db'), 'strict');
db.pragma(`cache_size = -${WRITE_CACHE_KIB}`); // the store's writes run on its writer thread's connection, with this cache
const checkpointer = new WalCheckpointer(db, 1000, (e) => process.stderr.write(`checkpoint: ${String(e)}\n`));
const insert = db.prepare(
  'INSERT INTO events (position, stream_id, stream_position, type, data, meta, at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
);
const HASH = 'f'.repeat(64);
const meta = JSON.stringify(CHUNK_META);
const versions = new Array<number>(STREAMS).fill(0);
let position = 0;
const ROW_OVERHEAD_BYTES = 200; // as the store's append queue estimates it for the checkpoint trigger
const txn = db.transaction((n: number) => {
  let bytes = 0;
  const at = Date.now();
  for (let i = 0; i < n; i++) {
    position++;
    const s = position % STREAMS;
    const data = JSON.stringify(chunkEventData(position));
    insert.run(position, streamId(s), ++versions[s]!, 'AcpMessage', data, meta, at, HASH, HASH);
    bytes += data.length + meta.length + ROW_OVERHEAD_BYTES;
  }
  return bytes;
});

let commits = 0;
const end = performance.now() + spec.seconds * 1000;
const t0 = performance.now();
// yield to the event loop between transactions, as the store does, so the idle checkpoint timer can run
function loop(): void {
  const stopAt = performance.now() + 50;
  while (performance.now() < stopAt) {
    checkpointer.noteWrite(txn(perTxn));
    commits++;
  }
  if (performance.now() < end) setImmediate(loop);
  else done();
}
function done(): void {
  const seconds = (performance.now() - t0) / 1000;
  checkpointer.stop();
  db.close();
  process.stdout.write(JSON.stringify({ events: position, seconds, per_s: position / seconds, commits, per_commit: position / commits }) + '\n');
  process.exit(0);
}
loop();
