// Catch-up subscription: log first, then live, with no gap and no duplicate.
//
// 1. A live listener is registered FIRST; while catching up it only buffers what commits.
// 2. The log is read in pages from `lastDelivered`, one page per setImmediate, so a big backlog never blocks the
//    event loop. Each read supersedes the buffer (everything committed before the read is in the log), so the
//    buffer is cleared at every read and only ever holds what committed since the latest one.
// 3. A short page means the log had nothing more at the time of that read; what committed afterwards is in the
//    buffer. Switch to live, drain the buffer dropping positions <= lastDelivered, and deliver live from then on.
// Reads and commits both run synchronously on this thread, so nothing can commit between a read and the clearing
// of the buffer that precedes it. Deliveries are never re-entrant: a batch committed from inside the handler is
// queued and delivered after the handler returns.
import type { CommittedListener, RecordedEvent, SubscribeOptions, Subscription } from './types.js';

export interface SubscriptionSource {
  readPage(afterPosition: number, limit: number, streamId: string | undefined): RecordedEvent[];
  addListener(listener: CommittedListener): () => void;
  reportError(error: unknown, context: string): void;
  /** The subscription closed itself (or was closed); the store forgets it. */
  forget(subscription: CatchUpSubscription): void;
}

const DEFAULT_PAGE_SIZE = 500;

/** The events of `batch` (in position order) after `position`. */
function after(batch: readonly RecordedEvent[], position: number): readonly RecordedEvent[] {
  let i = 0;
  while (i < batch.length && batch[i]!.position <= position) i++;
  return i === 0 ? batch : batch.slice(i);
}

export class CatchUpSubscription implements Subscription {
  private phase: 'catching-up' | 'live' | 'closed' = 'catching-up';
  private last: number;
  /** live batches seen while catching up, since the latest log read */
  private buffer: (readonly RecordedEvent[])[] = [];
  /** live batches waiting for delivery (filled while the handler runs) */
  private ready: (readonly RecordedEvent[])[] = [];
  private delivering = false;
  private step: NodeJS.Immediate | undefined;
  private readonly removeListener: () => void;
  private readonly streamId: string | undefined;
  private readonly pageSize: number;

  constructor(
    private readonly source: SubscriptionSource,
    afterPosition: number,
    private readonly handler: CommittedListener,
    options: SubscribeOptions = {},
  ) {
    this.last = afterPosition;
    this.streamId = options.streamId;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.removeListener = source.addListener((batch) => this.onCommitted(batch));
    this.step = setImmediate(() => this.catchUp());
  }

  get lastDelivered(): number {
    return this.last;
  }

  /** true once the subscription has caught up with the log and delivers live */
  get isLive(): boolean {
    return this.phase === 'live';
  }

  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    if (this.step !== undefined) clearImmediate(this.step);
    this.step = undefined;
    this.buffer = [];
    this.ready = [];
    this.removeListener();
    this.source.forget(this);
  }

  private onCommitted(batch: readonly RecordedEvent[]): void {
    const id = this.streamId;
    const mine = id === undefined ? batch : batch.filter((e) => e.streamId === id);
    if (mine.length === 0) return;
    if (this.phase === 'catching-up') this.buffer.push(mine);
    else if (this.phase === 'live') {
      this.ready.push(mine);
      this.deliverReady();
    }
  }

  private catchUp(): void {
    this.step = undefined;
    if (this.phase !== 'catching-up') return;
    this.buffer = []; // the read below covers everything committed until now
    let page: RecordedEvent[];
    try {
      page = this.source.readPage(this.last, this.pageSize, this.streamId);
    } catch (err) {
      this.source.reportError(err, 'subscription: catch-up read failed; subscription closed');
      this.close();
      return;
    }
    if (page.length > 0 && !this.deliver(page)) return;
    if (this.phase !== 'catching-up') return; // the handler closed the subscription
    if (page.length >= this.pageSize) {
      this.step = setImmediate(() => this.catchUp());
      return;
    }
    this.phase = 'live';
    this.ready = this.buffer;
    this.buffer = [];
    this.deliverReady();
  }

  private deliverReady(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      // `ready` may grow while the handler runs; the loop picks that up.
      for (let i = 0; i < this.ready.length && this.phase === 'live'; i++) {
        const fresh = after(this.ready[i]!, this.last);
        if (fresh.length > 0 && !this.deliver(fresh)) return;
      }
      this.ready = [];
    } finally {
      this.delivering = false;
    }
  }

  /** Hand a batch to the handler; false if the handler threw (the subscription is then closed). */
  private deliver(events: readonly RecordedEvent[]): boolean {
    try {
      this.handler(events);
    } catch (err) {
      this.source.reportError(err, `subscription: handler threw at positions ${events[0]!.position}..; subscription closed`);
      this.close();
      return false;
    }
    this.last = events[events.length - 1]!.position;
    return true;
  }
}
