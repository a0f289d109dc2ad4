// The body of a verify worker thread (verify-service.ts): opens the database READ-ONLY on a connection of its own,
// runs the whole anchored verification (anchored-verify.ts) off the gateway's event loop, posts the result, exits.
import { parentPort, workerData } from 'node:worker_threads';
import { AuditKey } from './audit-key.js';
import { readSinkFile } from './checkpoint-sink.js';
import type { ExpectedHead } from './expected-head.js';
import { openReadOnlyLog } from './readonly-log.js';

export interface VerifyJob {
  dbPath: string;
  /** the key's bytes and file (the key stays inside this process: a worker thread shares it) */
  key?: { bytes: Uint8Array; path: string };
  /** the gateway's own sink file (missing = no checkpoint copied yet) */
  sinkFile?: string;
  expectHeads: ExpectedHead[];
}

export type VerifyJobResult =
  | { ok: true; verification: import('./anchored-verify.js').AnchoredVerification }
  | { ok: false; error: string };

function run(job: VerifyJob): VerifyJobResult {
  try {
    const log = openReadOnlyLog(job.dbPath);
    try {
      const verification = log.verifyAnchored({
        key: job.key ? new AuditKey(Buffer.from(job.key.bytes), job.key.path) : undefined,
        sink: job.sinkFile === undefined ? undefined : readSinkFile(job.sinkFile, true),
        expectHeads: job.expectHeads,
      });
      return { ok: true, verification };
    } finally {
      log.close();
    }
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

parentPort?.postMessage(run(workerData as VerifyJob));
