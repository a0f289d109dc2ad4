// Durable appends through the event store the gateway uses (strict: synchronous=FULL, group commit), driven
// in-process: `window` appends of one AcpMessage event each are kept in flight over 100 streams (each with its
// exact expected version, as the actor runtime appends), so the appends of one event-loop turn form a batch.
// usage: node store-append.js '{"dir": "...", "seconds": 3, "window": 1000[, "postgresUrl": "postgres://..."]}' → one JSON line
import { join } from 'node:path';
import type { StoreConfig } from '../../src/config/schema.js';
import { openConfiguredEventStore, openEventStore } from '../../src/store/index.js';
import { CHUNK_META, STREAMS, chunkEventData, streamId } from '../lib/acp-rows.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { dir: string; seconds: number; window: number; postgresUrl?: string };
// postgresUrl: the postgres store (its mirror in `dir`) instead of the SQLite file (bench/figures/postgres-appends.ts)
const store = spec.postgresUrl === undefined
  ? openEventStore({ path: join(spec.dir, 'store.db'), durability: 'strict' })
  : await openConfiguredEventStore({ kind: 'postgres', mirror_path: join(spec.dir, 'mirror.db'), poll_secs: 1 } as StoreConfig, { url: spec.postgresUrl });
const versions = new Array<number>(STREAMS).fill(0);
let commits = 0;
store.onCommitted(() => {
  commits++;
});

let issued = 0;
let appended = 0;
let inFlight = 0;
let stopped = false;
let refill: NodeJS.Immediate | undefined;
let failed: unknown;
const t0 = performance.now();

function pump(): void {
  while (!stopped && inFlight < spec.window) {
    const s = issued % STREAMS;
    issued++;
    inFlight++;
    const expected = versions[s]!;
    versions[s] = expected + 1;
    store.appendToStream(streamId(s), expected, [{ type: 'AcpMessage', data: chunkEventData(issued), meta: CHUNK_META }]).then(
      (r) => {
        inFlight--;
        if (!r.ok) failed ??= new Error(`conflict on ${streamId(s)}`);
        else appended++;
        // refill on the next turn of the event loop, as traffic arrives in a gateway: refilling from inside the
        // commit's callbacks would feed the queue synchronously forever and never yield to the event loop
        refill ??= setImmediate(() => {
          refill = undefined;
          pump();
        });
      },
      (e: unknown) => {
        inFlight--;
        failed ??= e;
      },
    );
  }
}

setTimeout(() => {
  stopped = true;
}, spec.seconds * 1000);
pump();
const wait = setInterval(() => {
  if (!stopped || inFlight > 0) return;
  clearInterval(wait);
  const seconds = (performance.now() - t0) / 1000;
  void store.close().then(() => {
    if (failed) {
      process.stderr.write(`store-append: ${String(failed)}\n`);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify({ events: appended, seconds, per_s: appended / seconds, commits, per_commit: appended / commits }) + '\n');
    process.exit(0);
  });
}, 5);
