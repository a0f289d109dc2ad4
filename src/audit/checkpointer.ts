// Signs the log's head at intervals (checkpoint-mac.ts): after `checkpoint_every_events` committed events, every
// `checkpoint_every_secs` when the head moved, and once at clean shutdown, so a log at rest is anchored to its last
// event. Each checkpoint is stored in the database, then copied to the sink when one is configured (database first:
// a crash between the two leaves the sink one checkpoint short, never holding one the database lacks).
// A failure to store or copy a checkpoint is logged and retried at the next trigger; it never stops the gateway.
import type { Logger } from '../log/logger.js';
import type { AuditCheckpoint, EventStore } from '../store/types.js';
import type { AuditKey } from './audit-key.js';
import { checkpointMac, macProblem } from './checkpoint-mac.js';
import { type SinkConfig, writeToSink } from './checkpoint-sink.js';

export interface CheckpointerOptions {
  store: EventStore;
  key: AuditKey;
  everyEvents: number;
  everySecs: number;
  sink?: SinkConfig;
  logger: Logger;
  now?: () => number;
}

export class AuditCheckpointer {
  private eventsSinceLast = 0;
  private soon: NodeJS.Immediate | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly o: CheckpointerOptions) {
    this.unsubscribe = o.store.onCommitted((events) => {
      this.eventsSinceLast += events.length;
      // after this commit's other listeners, outside the writer's flush
      if (this.eventsSinceLast >= o.everyEvents && this.soon === undefined) this.soon = setImmediate(() => this.fire());
    });
    this.timer = setInterval(() => this.fire(), o.everySecs * 1000);
    this.timer.unref();
  }

  /**
   * Whether the newest stored checkpoint still matches the log (its MAC, its position within the log and the hash
   * there). Cheap (two lookups), so it runs at every boot; a full check is `audit verify`.
   */
  checkLast(): string | undefined {
    const { store, key } = this.o;
    const last = store.lastAuditCheckpoint();
    if (!last) return undefined;
    const mac = macProblem(key.bytes, key.id, last);
    if (mac) return `the newest audit checkpoint (seq ${last.seq}) ${mac}`;
    const head = store.headPosition();
    if (head < last.position) return `the log ends at position ${head} but checkpoint ${last.seq} signed position ${last.position}: events were removed`;
    const event = store.readAll(last.position - 1, 1)[0];
    if (event?.hash !== last.hash) return `the event at position ${last.position} does not have the hash checkpoint ${last.seq} signed: the log was rewritten`;
    return undefined;
  }

  /** Sign the head now, unless the newest checkpoint already signs it (or the log is empty). */
  signHead(): AuditCheckpoint | undefined {
    const { store, key, logger } = this.o;
    const head = store.head();
    if (head.position === 0) return undefined;
    const last = store.lastAuditCheckpoint();
    if (last && last.position === head.position && last.hash === head.hash) {
      this.eventsSinceLast = 0;
      return undefined;
    }
    const fields = { seq: (last?.seq ?? 0) + 1, position: head.position, hash: head.hash, at: (this.o.now ?? Date.now)(), keyId: key.id };
    const cp: AuditCheckpoint = { ...fields, mac: checkpointMac(key.bytes, fields) };
    try {
      store.saveAuditCheckpoint(cp);
    } catch (error) {
      logger.error('audit checkpoint not stored', { seq: cp.seq, position: cp.position, error: error as Error });
      return undefined;
    }
    this.eventsSinceLast = 0;
    if (this.o.sink !== undefined) {
      try {
        writeToSink(this.o.sink, cp);
      } catch (error) {
        logger.error('audit checkpoint not copied to the sink', { seq: cp.seq, sink: this.o.sink, error: error as Error });
      }
    }
    logger.debug('audit checkpoint signed', { seq: cp.seq, position: cp.position });
    return cp;
  }

  /** Stop the triggers and sign the final head (clean shutdown: after the last commit, before the store closes). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTriggers();
    this.signHead();
  }

  private fire(): void {
    this.soon = undefined;
    if (!this.closed) this.signHead();
  }

  private stopTriggers(): void {
    clearInterval(this.timer);
    if (this.soon !== undefined) clearImmediate(this.soon);
    this.soon = undefined;
    this.unsubscribe();
  }
}
