// The writer thread: owns the store's write connection, so that COMMIT (an fsync under strict durability) and the
// WAL checkpoints never block the gateway's event loop. It commits one batch at a time, as the append queue sends
// them, and answers each with its outcome (write-batch.ts). Started by ThreadCommitter (batch-committer.ts).
import type Database from 'better-sqlite3';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { openWriteConnection } from './open-database.js';
import { prepareStatements } from './statements.js';
import type { Durability } from './types.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { type BatchOutcome, BatchWriter, outcomeTransferables } from './write-batch.js';
import type { ToWriter, FromWriter } from './batch-committer.js';

export interface WriterThreadData {
  path: string;
  durability: Durability;
  checkpointIdleMs: number;
  /** set to 1 once the connection is open (or opening failed), the store's thread waits on it */
  opened: Int32Array;
  /** where the outcome of opening goes: `undefined`, or why it failed */
  openReport: MessagePort;
  /** where the outcome of each commit goes, and how many went (bumped after each, for a store that blocks on it) */
  outcomes: MessagePort;
  answered: Int32Array;
}

const port = parentPort!;
const data = workerData as WriterThreadData;
const send = (m: FromWriter): void => port.postMessage(m);

function reportOpened(error: string | undefined): void {
  data.openReport.postMessage(error);
  data.openReport.close();
  Atomics.store(data.opened, 0, 1);
  Atomics.notify(data.opened, 0);
}

let db: Database.Database;
try {
  db = openWriteConnection(data.path, data.durability);
} catch (err) {
  reportOpened(err instanceof Error ? err.message : String(err));
  throw err;
}
reportOpened(undefined);
// the arrays of a committed batch move to the store's thread (no copy): the writer does not need them again
const sendOutcome = (outcome: BatchOutcome): void => {
  data.outcomes.postMessage(outcome, outcome.ok ? outcomeTransferables(outcome) : []);
  Atomics.add(data.answered, 0, 1);
  Atomics.notify(data.answered, 0);
};

const writer = new BatchWriter(db, prepareStatements(db));
const checkpointer = new WalCheckpointer(db, data.checkpointIdleMs, (error, context) =>
  send({ t: 'error', context, message: error instanceof Error ? error.message : String(error) }),
);

port.on('message', (m: ToWriter) => {
  if (m.t === 'commit') {
    const outcome = writer.commit(m.req);
    if (outcome.ok) checkpointer.noteWrite(outcome.bytes);
    sendOutcome(outcome);
    return;
  }
  // close: the last checkpoint is passive like the others (it never waits for readers)
  checkpointer.stop();
  let error: string | undefined;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    error = `close: final wal checkpoint failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  db.close();
  send({ t: 'closed', error });
  data.outcomes.close();
  port.close();
});
