// Who hears about commits: plain listeners (onCommitted) on an eventemitter3 emitter, and the catch-up
// subscriptions built on them. A listener that throws is reported and the others still run: every listener is
// wrapped once, so the emitter itself never sees a throw. Removing a listener while a commit is being announced is
// safe (eventemitter3 replaces its listener array rather than mutating the one being walked).
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError } from './errors.js';
import { CatchUpSubscription, type SubscriptionSource } from './subscription.js';
import type { CommitTiming, CommittedListener, RecordedEvent, SubscribeOptions, Subscription } from './types.js';

interface FanoutEvents {
  committed: (events: readonly RecordedEvent[], commit: CommitTiming | undefined) => void;
}

export interface FanoutDeps {
  readPage: SubscriptionSource['readPage'];
  reportError(error: unknown, context: string): void;
}

export class CommittedFanout {
  private readonly emitter = new EventEmitter<FanoutEvents>();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly source: SubscriptionSource;

  constructor(private readonly deps: FanoutDeps) {
    this.source = {
      readPage: deps.readPage,
      addListener: (listener) => this.onCommitted(listener),
      reportError: deps.reportError,
      forget: (sub) => this.subscriptions.delete(sub),
    };
  }

  onCommitted(listener: CommittedListener): () => void {
    if (typeof listener !== 'function') throw new InvalidArgumentError('onCommitted: listener must be a function');
    const report = this.deps.reportError;
    const guarded = (events: readonly RecordedEvent[], commit: CommitTiming | undefined): void => {
      try {
        listener(events, commit);
      } catch (err) {
        report(err, 'onCommitted listener threw');
      }
    };
    this.emitter.on('committed', guarded);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.emitter.off('committed', guarded);
    };
  }

  /** A catch-up subscription (arguments checked by the store). */
  subscribe(afterPosition: number, handler: CommittedListener, options: SubscribeOptions): Subscription {
    const sub = new CatchUpSubscription(this.source, afterPosition, handler, options);
    this.subscriptions.add(sub);
    return sub;
  }

  /** Announce a commit, synchronously, in listener registration order (`commit`: none for another node's commit). */
  committed(events: readonly RecordedEvent[], commit?: CommitTiming): void {
    this.emitter.emit('committed', events, commit);
  }

  /** The store is closing: end every subscription now; listeners are dropped once it is closed. */
  closeSubscriptions(): void {
    for (const sub of [...this.subscriptions]) sub.close();
  }

  removeAllListeners(): void {
    this.emitter.removeAllListeners();
  }
}
