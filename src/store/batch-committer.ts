// Who runs the group commits of the append queue. Under strict durability: a writer thread (writer-thread.ts)
// owning the write connection, so the event loop never waits for an fsync; reads stay on the store's own
// connection (WAL lets them run beside the writer). Otherwise the store's own connection, in this thread: under
// fast durability a commit does no fsync (see sqlite-event-store.ts), and an in-memory database (':memory:', unit
// tests) exists only inside the connection that made it: no other thread can reach it.
import type Database from 'better-sqlite3';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { Statements } from './statements.js';
import type { Durability } from './types.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { type BatchRequest, transferablesOf } from './batch-request.js';
import { type BatchOutcome, BatchWriter } from './write-batch.js';
import type { WriterThreadData } from './writer-thread.js';

/** Messages to the writer thread. */
export type ToWriter = { t: 'commit'; req: BatchRequest } | { t: 'close' };
/** Messages from it: failures nobody waits on; the answer to close. (Outcomes come on a port of their own.) */
export type FromWriter = { t: 'error'; context: string; message: string } | { t: 'closed'; error: string | undefined };

export interface BatchCommitter {
  /**
   * Commit one batch; `done` gets its outcome exactly once (at once, for the in-thread committer). Batches sent
   * before an answer came back (at most AppendQueue's MAX_IN_FLIGHT) commit one after the other in the order
   * sent, each in its own transaction, and are answered in that order.
   */
  commit(req: BatchRequest, done: (outcome: BatchOutcome) => void): void;
  /** Wait (blocking) for the oldest batch in flight and call its `done` now: backpressure, see AppendQueue.append. */
  drain(): void;
  /** After the last commit: a last passive WAL checkpoint, then the write connection is closed. */
  close(): Promise<void>;
}

type ReportError = (error: unknown, context: string) => void;

/** How long opening the store waits for the writer thread to open its connection. */
const OPEN_TIMEOUT_MS = 30_000;
/** How long drain() blocks at most: a thread that died is only noticed by the event loop, so do not wait forever. */
const DRAIN_LIMIT_MS = 5_000;

/** Commits on the store's own connection, synchronously (fast durability and ':memory:', see above). */
export class InThreadCommitter implements BatchCommitter {
  private readonly writer: BatchWriter;
  private readonly checkpointer: WalCheckpointer;

  constructor(private readonly db: Database.Database, st: Statements, checkpointIdleMs: number, private readonly reportError: ReportError) {
    this.writer = new BatchWriter(db, st);
    this.checkpointer = new WalCheckpointer(db, checkpointIdleMs, reportError);
  }

  commit(req: BatchRequest, done: (outcome: BatchOutcome) => void): void {
    const outcome = this.writer.commit(req);
    if (outcome.ok) this.checkpointer.noteWrite(outcome.bytes);
    done(outcome);
  }

  drain(): void {} // nothing is ever in flight

  close(): Promise<void> {
    this.checkpointer.stop();
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      this.reportError(err, 'close: final wal checkpoint failed');
    }
    return Promise.resolve();
  }
}

/**
 * Commits on a writer thread. The thread keeps the process alive only while a batch or the close is in flight.
 * If it dies, the batch in flight (and every later one) gets a WriterDied outcome: the store then refuses writes
 * with a StoreFailedError instead of waiting for an answer that will never come.
 */
export class ThreadCommitter implements BatchCommitter {
  private readonly thread: Worker;
  /** the batches in flight, oldest first: the thread answers them in this order */
  private waiting: ((outcome: BatchOutcome) => void)[] = [];
  private death: string | undefined;
  private lastError: Error | undefined;
  private closing: { resolve(): void; reject(error: Error): void } | undefined;
  private readonly exited: Promise<void>;
  private opening: { path: string; opened: Int32Array; report: MessagePort } | undefined;
  /** the writer's answers to commits, and how many it has sent (so drain() can wait for the next one) */
  private readonly outcomes: MessagePort;
  private readonly answered = new Int32Array(new SharedArrayBuffer(4));

  constructor(path: string, durability: Durability, checkpointIdleMs: number, private readonly reportError: ReportError) {
    const opened = new Int32Array(new SharedArrayBuffer(4));
    const report = new MessageChannel();
    const outcomes = new MessageChannel();
    const workerData: WriterThreadData = {
      path, durability, checkpointIdleMs, opened, openReport: report.port2, outcomes: outcomes.port2, answered: this.answered,
    };
    this.thread = new Worker(new URL('./writer-thread.js', import.meta.url), {
      workerData, transferList: [report.port2, outcomes.port2], stdout: false, stderr: false,
    });
    this.outcomes = outcomes.port1;
    this.outcomes.on('message', (outcome: BatchOutcome) => this.answer(outcome));
    this.outcomes.unref();
    this.opening = { path, opened, report: report.port1 };
    this.thread.on('message', (m: FromWriter) => this.receive(m));
    this.thread.on('error', (err) => {
      this.lastError = err;
    });
    this.exited = new Promise((resolve) => {
      this.thread.on('exit', (code) => {
        this.outcomes.close();
        this.died(`the event store's writer thread exited (code ${code}${this.lastError ? `: ${this.lastError.message}` : ''})`);
        resolve();
      });
    });
    // after the listeners: adding a 'message' listener refs the thread again
    this.thread.unref();
  }

  /**
   * Block until the thread has its connection (the store calls this last thing in its constructor, so the
   * thread's start-up overlaps the rest of opening). The store is then usable whatever happens to the path next
   * (a data dir removed under a running store, as tests do, keeps working on the open files), and a file the
   * writer cannot open fails openEventStore itself, not some later append.
   */
  waitUntilOpen(): void {
    const o = this.opening;
    if (o === undefined) return;
    this.opening = undefined;
    const waited = Atomics.wait(o.opened, 0, 0, OPEN_TIMEOUT_MS);
    const answer = receiveMessageOnPort(o.report);
    o.report.close();
    if (waited === 'timed-out' || answer === undefined) {
      void this.thread.terminate();
      throw new Error(`the event store's writer thread did not open ${o.path} within ${OPEN_TIMEOUT_MS / 1000} s`);
    }
    if (answer.message !== undefined) {
      void this.thread.terminate();
      throw new Error(`the event store's writer thread cannot open ${o.path}: ${String(answer.message)}`);
    }
  }

  /** The thread itself (tests kill it to check that nothing hangs). */
  get worker(): Worker {
    return this.thread;
  }

  commit(req: BatchRequest, done: (outcome: BatchOutcome) => void): void {
    if (this.death !== undefined) return done({ ok: false, died: this.death });
    this.waiting.push(done);
    if (this.waiting.length === 1) this.outcomes.ref();
    this.thread.postMessage({ t: 'commit', req } satisfies ToWriter, transferablesOf(req));
  }

  drain(): void {
    const deadline = performance.now() + DRAIN_LIMIT_MS;
    while (this.waiting.length > 0) {
      const seen = Atomics.load(this.answered, 0);
      const m = receiveMessageOnPort(this.outcomes);
      if (m !== undefined) return this.answer(m.message as BatchOutcome);
      const left = deadline - performance.now();
      if (left <= 0) return; // carry on without: the answer (or the thread's exit) comes through the event loop
      Atomics.wait(this.answered, 0, seen, left);
    }
  }

  close(): Promise<void> {
    if (this.death !== undefined) return Promise.resolve();
    this.thread.ref();
    const answered = new Promise<void>((resolve, reject) => {
      this.closing = { resolve, reject };
    });
    this.thread.postMessage({ t: 'close' } satisfies ToWriter);
    // the thread ends by itself once its port is closed; wait for that, so no thread outlives the store
    return answered.then(() => this.exited);
  }

  private answer(outcome: BatchOutcome): void {
    const done = this.waiting.shift();
    if (this.waiting.length === 0) this.outcomes.unref();
    done?.(outcome);
  }

  private receive(m: FromWriter): void {
    if (m.t === 'error') {
      this.reportError(new Error(m.message), m.context);
    } else {
      if (m.error !== undefined) this.reportError(new Error(m.error), 'close: final wal checkpoint failed');
      this.death = 'the event store is closed';
      this.closing?.resolve();
    }
  }

  private died(reason: string): void {
    const closed = this.death !== undefined;
    this.death ??= reason;
    const waiting = this.waiting;
    this.waiting = [];
    if (!closed) this.reportError(new Error(reason), 'event store writer thread died');
    this.closing?.resolve();
    // every batch in flight, oldest first: whether any of them committed is unknown
    for (const done of waiting) done({ ok: false, died: this.death });
  }
}
