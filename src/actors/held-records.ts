// Records an actor holds back until its stream's next append (RecordOptions.hold): protocol traffic we sent, which
// nobody waits on and whose answer usually follows within a millisecond or two. Handed to the store with that
// answer, they share its commit (one fsync under strict durability) instead of starting one of their own in the
// middle of a turn; when no other append comes within `holdMs`, they go on their own. Order is kept: held records
// come first in the append that takes them.
import type { AppendOptions, NewEvent, RecordedEvent } from '../store/types.js';

export interface RecordOptions extends AppendOptions {
  /**
   * Protocol traffic we sent, which nobody waits on: held back until the stream's next append (at most HOLD_MS),
   * so that it shares the commit of the answer instead of costing one of its own.
   */
  hold?: boolean;
}

/** How long a held record waits for company before it is appended on its own (ms). */
export const HOLD_MS = 20;

interface Waiter {
  /** index of its first event among the held ones, and how many it added */
  from: number;
  count: number;
  resolve(events: RecordedEvent[]): void;
  reject(error: Error): void;
}

export interface TakenRecords {
  events: NewEvent[];
  /** the append that took them committed (its recorded events, held ones first) or failed */
  settle(outcome: RecordedEvent[] | Error): void;
}

export class HeldRecords {
  private events: NewEvent[] = [];
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** called when records were held `holdMs` without an append to take them */
    private readonly release: () => void,
    private readonly holdMs: number,
  ) {}

  get size(): number {
    return this.events.length;
  }

  add(events: readonly NewEvent[]): Promise<RecordedEvent[]> {
    return new Promise<RecordedEvent[]>((resolve, reject) => {
      this.waiters.push({ from: this.events.length, count: events.length, resolve, reject });
      for (const e of events) this.events.push(e);
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.release();
      }, this.holdMs);
    });
  }

  /** Take everything held (null when nothing is). */
  take(): TakenRecords | null {
    if (this.events.length === 0) return null;
    const events = this.events;
    const waiters = this.waiters;
    this.events = [];
    this.waiters = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    return {
      events,
      settle(outcome) {
        for (const w of waiters) {
          if (outcome instanceof Error) w.reject(outcome);
          else w.resolve(outcome.slice(w.from, w.from + w.count));
        }
      },
    };
  }
}
