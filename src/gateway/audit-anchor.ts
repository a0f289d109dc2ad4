// The audit anchor of a running gateway (src/audit/checkpoint-mac.ts): the checkpoint key, loaded or generated at
// the first start; the checkpointer that signs the head; and the verify service behind GET /api/v1/audit/verify,
// which checks the chain, the checkpoints with this key and the configured sink file, off the event loop.
import { type AuditConfig, auditKeyFile, IN_MEMORY_STORE, type StoreConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import type { EventStore } from '../store/types.js';
import { type AuditKey, loadOrCreateAuditKey } from '../audit/audit-key.js';
import { AuditCheckpointer } from '../audit/checkpointer.js';
import { verifyReport } from '../audit/verify-report.js';
import { VerifyService, workerRunner } from '../audit/verify-service.js';
import { hasAuthority, verifyAuthority } from '../audit/authority-verify.js';

export interface AuditAnchor {
  readonly checkpointer: AuditCheckpointer;
  readonly verifier: VerifyService;
  /** at clean shutdown, after the last commit: sign the final head, answer waiting verifies */
  close(): Promise<void>;
}

type AnchorConfig = { audit: AuditConfig; store: StoreConfig };

export function loadAnchorKey(config: AnchorConfig, logger: Logger): AuditKey {
  const { key, generated, readableByOthers } = loadOrCreateAuditKey(auditKeyFile(config));
  // the key's id and file only: the key itself never enters the log
  if (generated) logger.info('audit key generated: keep a copy outside the data dir to verify the log without it', { key_file: key.path, key_id: key.id });
  if (readableByOthers) logger.warn('audit key file is readable by group or others (chmod 600 it)', { key_file: key.path });
  return key;
}

export function startAuditAnchor(config: AnchorConfig, store: EventStore, key: AuditKey, logger: Logger): AuditAnchor {
  const { audit } = config;
  const checkpointer = new AuditCheckpointer({
    store, key, logger, sink: audit.sink, everyEvents: audit.checkpoint_every_events, everySecs: audit.checkpoint_every_secs,
  });
  const problem = checkpointer.checkLast();
  if (problem) logger.error('audit: the log does not match its newest signed checkpoint', { problem });
  // Events committed after the newest checkpoint (a crash, a log written before checkpoints existed) are anchored
  // now rather than at the first trigger.
  checkpointer.signHead();

  const sinkFile = audit.sink !== undefined && audit.sink !== 'stdout' ? audit.sink.file : undefined;
  const verifier = new VerifyService(
    hasAuthority(store)
      ? // postgres: the log as PostgreSQL holds it, read page by page (not the node's mirror, which could be stale)
        (expectHeads) => verifyAuthority(store, { key, ...(sinkFile !== undefined ? { sinkFile } : {}), expectHeads })
      : config.store.path === IN_MEMORY_STORE
        ? // no file for a worker to open (unit tests only): the chain alone, here
          async () => ({ report: verifyReport(store.verifyChain()), expectedHeadFailures: {} })
        : workerRunner({ dbPath: config.store.path, key: { bytes: key.bytes, path: key.path }, sinkFile }),
  );
  return {
    checkpointer,
    verifier,
    async close() {
      verifier.close();
      try {
        await store.flush();
      } catch (error) {
        logger.error('audit: the last commit failed; the final checkpoint signs the head before it', { error: error as Error });
      }
      checkpointer.close();
    },
  };
}
