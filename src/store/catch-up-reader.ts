// The one catch-up rule of every reader of the log (store subscriptions, client stream cursors): deliver every
// event after a position exactly once, in commit order, first from the log and then live, with the log as the
// only buffer. The phase is `state`:
//
// 1. reading: the log is read in pages after `position`, one page per turn of the event loop, so a big backlog
//    never blocks it. A live batch that arrives meanwhile is not kept: the reader only notes that it is `behind`,
//    and the next read fetches it from the log.
// 2. live: a read that returns a short page (and saw nothing arrive) has delivered everything announced so far
//    (commits are announced on this thread, never during a read; a read may even include a commit the writer
//    thread finished whose announcement is still to come). Live batches are then delivered as they come, minus
//    what was already delivered.
// 3. paused (the consumer is backpressured): live batches are again only noted; `resume` goes back to 1.
// 4. closed: nothing more, ever.
// Deliveries are never re-entrant: a batch committed from inside `deliver` (a commit runs synchronously when the
// writer's batch is full) is noted, and read from the log on the next turn. `deliver` may pause or close the
// reader; if it (or a read) throws, the reader closes and `onError` decides what the owner does.
import type { RecordedEvent } from './types.js';

export interface CatchUpSource {
  /** up to `limit` events after `afterPosition`, in position order */
  read(afterPosition: number, limit: number): readonly RecordedEvent[];
  /** hand over events that all come after the reader's position, in order */
  deliver(events: readonly RecordedEvent[]): void;
  /** `read` or `deliver` threw: the reader is stopped; the owner reports and cleans up */
  onError(error: unknown, during: 'read' | 'deliver', events?: readonly RecordedEvent[]): void;
  /** the reader caught up with the log (after each catch-up that ends with a short page) */
  onLive?(): void;
}

/** The events of `batch` (in position order) after `position` (the batch itself when all are). */
function eventsAfter(batch: readonly RecordedEvent[], position: number): readonly RecordedEvent[] {
  let i = 0;
  while (i < batch.length && batch[i]!.position <= position) i++;
  return i === 0 ? batch : batch.slice(i);
}

export class CatchUpReader {
  private state: 'idle' | 'reading' | 'live' | 'paused' | 'closed' = 'idle';
  /** something committed that was not delivered live: the log has it */
  private behind = false;
  private delivering = false;
  private step: NodeJS.Immediate | undefined;

  constructor(
    private readonly source: CatchUpSource,
    /** the last event delivered (or skipped): everything after it is still to come */
    public position: number,
    private readonly pageSize: number,
  ) {}

  get closed(): boolean {
    return this.state === 'closed';
  }

  get paused(): boolean {
    return this.state === 'paused';
  }

  /** Catch up now (the first page in this turn). */
  start(): void {
    if (this.state === 'idle') this.catchUp();
  }

  /** Catch up from the next turn of the event loop (the owner is not fully set up yet). */
  startSoon(): void {
    if (this.state === 'idle') this.schedule();
  }

  /** A live batch, in commit order (only events this reader wants). */
  push(batch: readonly RecordedEvent[]): void {
    if (this.state !== 'live' || this.delivering) {
      if (this.state !== 'closed') this.behind = true;
      return;
    }
    const fresh = eventsAfter(batch, this.position);
    if (fresh.length === 0) return;
    this.hand(fresh);
    if (this.state === 'live' && this.behind) this.schedule();
  }

  /** Stop delivering until `resume` (the consumer is backpressured). */
  pause(): void {
    if (this.state === 'closed') return;
    this.cancelStep();
    this.state = 'paused';
  }

  /** Go on after a pause: what committed meanwhile comes from the log. */
  resume(): void {
    if (this.state !== 'paused') return;
    this.catchUp();
  }

  /** Deliver from another position (a client asked to resume after it): caught up from the log. */
  rewind(position: number): void {
    if (this.state === 'closed') return;
    this.position = position;
    this.behind = true;
    if (this.state === 'live' && !this.delivering) this.catchUp();
  }

  close(): void {
    this.cancelStep();
    this.state = 'closed';
  }

  private schedule(): void {
    this.state = 'reading';
    this.step ??= setImmediate(() => {
      this.step = undefined;
      this.catchUp();
    });
  }

  private cancelStep(): void {
    if (this.step !== undefined) clearImmediate(this.step);
    this.step = undefined;
  }

  /** Read one page after the position and deliver it; then another page next turn, or live. */
  private catchUp(): void {
    if (this.state === 'closed') return;
    this.cancelStep();
    this.state = 'reading';
    this.behind = false;
    let page: readonly RecordedEvent[];
    try {
      page = this.source.read(this.position, this.pageSize);
    } catch (err) {
      this.close();
      this.source.onError(err, 'read');
      return;
    }
    if (page.length > 0) this.hand(page);
    if (this.state !== 'reading') return; // paused or closed by the consumer
    if (page.length >= this.pageSize || this.behind) {
      this.schedule();
      return;
    }
    this.state = 'live';
    this.source.onLive?.();
  }

  private hand(events: readonly RecordedEvent[]): void {
    this.delivering = true;
    try {
      this.source.deliver(events);
    } catch (err) {
      this.close();
      this.source.onError(err, 'deliver', events);
      return;
    } finally {
      this.delivering = false;
    }
    this.position = events[events.length - 1]!.position;
  }
}
