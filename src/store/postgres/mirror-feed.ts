// Feeds the mirror in position order and announces what it took: this node's commits (with the rows other nodes
// committed just before, read in the same transaction) and catch-up reads of the table after the mirror's head,
// when another node's commit is announced or the slow poll fires. The two may overlap (the mirror skips what it
// has) but never leave a hole, so onCommitted and subscriptions see every event of every node once, in order.
import type pg from 'pg';
import type { CommittedFanout } from '../committed-fanout.js';
import { StoreFailedError } from '../errors.js';
import type { StoredEvent } from '../recorded-event.js';
import type { CommitTiming } from '../types.js';
import type { Mirror } from './mirror.js';
import { readEventsAfter } from './pg-reads.js';

/** Rows read per catch-up query. */
const CATCH_UP_PAGE = 2000;

export class MirrorFeed {
  /** set when the mirror cannot take committed rows: the store then refuses writes */
  failure: StoreFailedError | undefined;
  private catchingUp: Promise<void> | undefined;
  private lookAgain = false;
  private stopped = false;
  private expecting = 0;

  constructor(
    private readonly mirror: Mirror,
    private readonly pool: pg.Pool,
    private readonly fanout: CommittedFanout,
    private readonly reportError: (error: unknown, context: string) => void,
  ) {}

  /** A commit was announced (up to `position`, when the notification said): catch up unless the rows are here. */
  heard(position: number | undefined): void {
    // a node hears its own commits too: those it has copied, or is about to (its commit in flight), need no read
    if (position === undefined || !(position <= Math.max(this.mirror.head.position, this.expecting))) void this.catchUp();
  }

  /** This node's commit in flight ends at `upTo` (0: none in flight). */
  expect(upTo: number): void {
    // a commit that failed: a notification skipped as its own may have been another node's
    if (upTo === 0 && this.expecting > this.mirror.head.position) void this.catchUp();
    this.expecting = upTo;
  }

  /** Rows of the log into the mirror (skipping what it has), then to listeners and subscriptions. */
  ingest(events: readonly StoredEvent[], commit: CommitTiming | undefined): void {
    if (events.length === 0) return;
    let applied: readonly StoredEvent[];
    try {
      applied = this.mirror.apply(events);
    } catch (err) {
      // PostgreSQL has rows the mirror cannot take: reads would go stale silently, so writes stop loudly
      this.failure ??= new StoreFailedError(`the local mirror of the log cannot take committed rows (${(err as Error).message}); restart the node`, { cause: err });
      this.reportError(this.failure, 'postgres store: mirror update failed');
      return;
    }
    if (applied.length > 0) this.fanout.committed(applied, commit);
  }

  /** Read what was committed after the mirror head, page by page (one catch-up at a time; a call during one re-runs it). */
  catchUp(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.catchingUp) {
      this.lookAgain = true;
      return this.catchingUp;
    }
    this.catchingUp = this.run().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  private async run(): Promise<void> {
    try {
      do {
        this.lookAgain = false;
        for (;;) {
          const rows = await readEventsAfter(this.pool, this.mirror.head.position, CATCH_UP_PAGE);
          if (this.stopped) return;
          this.ingest(rows, undefined);
          if (rows.length < CATCH_UP_PAGE || this.failure) break;
        }
      } while (this.lookAgain && !this.stopped);
    } catch (err) {
      if (!this.stopped) this.reportError(err, 'postgres store: catch-up read failed (the next notification or poll retries)');
    }
  }

  /** No more catch-ups; resolves when the running one is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.catchingUp;
  }
}
