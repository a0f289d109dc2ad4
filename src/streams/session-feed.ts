// Fans committed events out to every open stream cursor of their session. One listener on the store; each batch
// is grouped by stream once, so a commit costs one pass whatever the number of clients. Cursors that stay
// backpressured longer than the stall limit are closed (the client resumes from its last position).
import type { EventStore, RecordedEvent } from '../store/types.js';
import type { StreamCursor } from './stream-cursor.js';

export interface FeedOptions {
  /** close a client that has not drained for this long (ms) */
  stallLimitMs: number;
}

export class SessionFeed {
  private readonly cursors = new Map<string, Set<StreamCursor>>();
  private readonly stallHandlers = new Map<StreamCursor, () => void>();
  private readonly unsubscribe: () => void;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    store: EventStore,
    private readonly options: FeedOptions,
  ) {
    this.unsubscribe = store.onCommitted((events) => this.dispatch(events));
    this.sweeper = setInterval(() => this.sweep(), Math.max(100, Math.min(1000, options.stallLimitMs / 4)));
    this.sweeper.unref();
  }

  /** Register a cursor for live batches, then start its catch-up (subscribe first, backfill second). */
  open(cursor: StreamCursor, onStalled: () => void): void {
    let set = this.cursors.get(cursor.streamId);
    if (!set) this.cursors.set(cursor.streamId, (set = new Set()));
    set.add(cursor);
    this.stallHandlers.set(cursor, onStalled);
    cursor.start();
  }

  close(cursor: StreamCursor): void {
    cursor.close();
    this.stallHandlers.delete(cursor);
    const set = this.cursors.get(cursor.streamId);
    if (!set) return;
    set.delete(cursor);
    if (set.size === 0) this.cursors.delete(cursor.streamId);
  }

  get size(): number {
    return this.stallHandlers.size;
  }

  stop(): void {
    this.unsubscribe();
    clearInterval(this.sweeper);
  }

  private dispatch(events: readonly RecordedEvent[]): void {
    if (this.cursors.size === 0) return;
    if (events.length === 1 || sameStream(events)) {
      this.deliver(events[0]!.streamId, events);
      return;
    }
    const byStream = new Map<string, RecordedEvent[]>();
    for (const e of events) {
      if (!this.cursors.has(e.streamId)) continue;
      let list = byStream.get(e.streamId);
      if (!list) byStream.set(e.streamId, (list = []));
      list.push(e);
    }
    for (const [streamId, list] of byStream) this.deliver(streamId, list);
  }

  private deliver(streamId: string, events: readonly RecordedEvent[]): void {
    const set = this.cursors.get(streamId);
    if (!set) return;
    for (const c of set) {
      if (c.done) continue;
      c.push(events);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [cursor, onStalled] of this.stallHandlers) {
      if (cursor.blocked && now - cursor.blockedSince > this.options.stallLimitMs) {
        this.close(cursor);
        onStalled();
      }
    }
  }
}

function sameStream(events: readonly RecordedEvent[]): boolean {
  const first = events[0]!.streamId;
  for (let i = 1; i < events.length; i++) if (events[i]!.streamId !== first) return false;
  return true;
}
