// `GET /api/v1/audit/verify` off the event loop: a walk over a large log takes seconds of CPU, so it runs in a
// worker thread (verify-worker.ts) on a read-only connection of its own, while the gateway keeps answering.
//
// One walk at a time. A request that arrives while a walk runs does not share that walk's result (the walk began
// before the request, so it could miss a change made in between): it joins the NEXT walk, which starts when the
// running one ends and answers every request that joined it, each with its own expected head (one walk checks them
// all). So any number of concurrent requests cost at most two walks, and every answer reflects the database as it
// was after its request arrived.
import { Worker } from 'node:worker_threads';
import { type AnchoredVerification, reportFor } from './anchored-verify.js';
import { type ExpectedHead, formatHead } from './expected-head.js';
import type { VerifyReport } from './verify-report.js';
import type { VerifyJob, VerifyJobResult } from './verify-worker.js';

/** Runs one verification with the expected heads of every request that joined it. */
export type VerifyRunner = (expectHeads: ExpectedHead[]) => Promise<AnchoredVerification>;

interface Walk {
  expectHeads: Map<string, ExpectedHead>;
  waiters: { expectHead?: ExpectedHead; resolve(r: VerifyReport): void; reject(e: unknown): void }[];
}

export class VerifyClosedError extends Error {
  override readonly name = 'VerifyClosedError';
}

export class VerifyService {
  private running: Walk | undefined;
  private next: Walk | undefined;
  private closed = false;
  /** walks started so far (one per verification of the database, whatever the number of requests) */
  walksStarted = 0;

  constructor(private readonly runner: VerifyRunner) {}

  verify(expectHead?: ExpectedHead): Promise<VerifyReport> {
    if (this.closed) return Promise.reject(new VerifyClosedError('the gateway is shutting down'));
    return new Promise<VerifyReport>((resolve, reject) => {
      let walk = this.next;
      if (walk === undefined) {
        walk = this.next = { expectHeads: new Map(), waiters: [] };
        // Not at once: requests of this same turn of the event loop join this walk too.
        if (this.running === undefined) setImmediate(() => this.startNext());
      }
      if (expectHead) walk.expectHeads.set(formatHead(expectHead), expectHead);
      walk.waiters.push({ expectHead, resolve, reject });
    });
  }

  /** Answer every waiting request with an error; a running worker is left to finish (its answer is dropped). */
  close(): void {
    this.closed = true;
    for (const walk of [this.running, this.next]) {
      for (const w of walk?.waiters ?? []) w.reject(new VerifyClosedError('the gateway is shutting down'));
    }
    this.running = this.next = undefined;
  }

  private startNext(): void {
    const walk = this.next;
    if (walk === undefined || this.running !== undefined || this.closed) return;
    this.next = undefined;
    this.running = walk;
    this.walksStarted += 1;
    this.runner([...walk.expectHeads.values()]).then(
      (v) => {
        if (this.running !== walk) return; // closed meanwhile
        for (const w of walk.waiters) w.resolve(reportFor(v, w.expectHead));
      },
      (e) => {
        if (this.running !== walk) return;
        for (const w of walk.waiters) w.reject(e);
      },
    ).finally(() => {
      if (this.running === walk) this.running = undefined;
      this.startNext();
    });
  }
}

/** A runner that verifies `job.dbPath` in a new worker thread per walk (its memory goes with it). */
export function workerRunner(job: Omit<VerifyJob, 'expectHeads'>): VerifyRunner {
  const entry = new URL('./verify-worker.js', import.meta.url);
  return (expectHeads) =>
    new Promise<AnchoredVerification>((resolve, reject) => {
      const worker = new Worker(entry, { workerData: { ...job, expectHeads } satisfies VerifyJob });
      let settled = false;
      worker.once('message', (r: VerifyJobResult) => {
        settled = true;
        if (r.ok) resolve(r.verification);
        else reject(new Error(`audit verify failed: ${r.error}`));
      });
      worker.once('error', (e) => {
        settled = true;
        reject(e);
      });
      worker.once('exit', (code) => {
        if (!settled) reject(new Error(`audit verify worker exited with code ${code} before answering`));
      });
    });
}
