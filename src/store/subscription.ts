// Catch-up subscription: log first, then live, with no gap and no duplicate (the rule is CatchUpReader's, shared
// with the client stream cursors). The live listener is registered FIRST, so nothing that commits after the first
// read can be missed; the first read happens on the next turn of the event loop, after subscribe() returned.
import { CatchUpReader } from './catch-up-reader.js';
import type { CommittedListener, RecordedEvent, SubscribeOptions, Subscription } from './types.js';

export interface SubscriptionSource {
  readPage(afterPosition: number, limit: number, streamId: string | undefined): RecordedEvent[];
  addListener(listener: CommittedListener): () => void;
  reportError(error: unknown, context: string): void;
  /** The subscription closed itself (or was closed); the store forgets it. */
  forget(subscription: CatchUpSubscription): void;
}

const DEFAULT_PAGE_SIZE = 500;

export class CatchUpSubscription implements Subscription {
  private readonly reader: CatchUpReader;
  private readonly removeListener: () => void;
  private closed = false;

  constructor(
    private readonly source: SubscriptionSource,
    afterPosition: number,
    handler: CommittedListener,
    options: SubscribeOptions = {},
  ) {
    const streamId = options.streamId;
    this.reader = new CatchUpReader(
      {
        read: (after, limit) => source.readPage(after, limit, streamId),
        deliver: (events) => handler(events),
        onError: (err, during, events) => {
          source.reportError(
            err,
            during === 'read'
              ? 'subscription: catch-up read failed; subscription closed'
              : `subscription: handler threw at positions ${events![0]!.position}..; subscription closed`,
          );
          this.close();
        },
      },
      afterPosition,
      options.pageSize ?? DEFAULT_PAGE_SIZE,
    );
    this.removeListener = source.addListener((batch) => {
      const mine = streamId === undefined ? batch : batch.filter((e) => e.streamId === streamId);
      if (mine.length > 0) this.reader.push(mine);
    });
    this.reader.startSoon();
  }

  /** position of the last event the handler accepted */
  get lastDelivered(): number {
    return this.reader.position;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.close();
    this.removeListener();
    this.source.forget(this);
  }
}
