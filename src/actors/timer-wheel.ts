// Durable timers. XState `after` timers do not survive a restore (statelyai/xstate#5331), so a deadline that must
// outlive the process is a row in the store's timers table plus one in-process timeout for the earliest due time.
// At boot every stored timer is re-armed; overdue ones fire at once.
import type { DurableTimer, EventStore } from '../store/types.js';

const MAX_DELAY = 2 ** 31 - 1;

export class TimerWheel {
  private readonly timers = new Map<string, DurableTimer>();
  private handle: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly fire: (timer: DurableTimer) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Load every stored timer (boot). */
  /** Arm the stored timers (of the streams `accept` takes: a cluster node runs only its own actors' timers). */
  loadFromStore(accept?: (streamId: string) => boolean): number {
    for (const t of this.store.listTimers()) if (!accept || accept(t.streamId)) this.timers.set(key(t.streamId, t.timerId), t);
    this.rearm();
    return this.timers.size;
  }

  /** How many timers are armed. */
  get size(): number {
    return this.timers.size;
  }

  /** Forget the armed timers of a stream this node no longer runs (its lease moved); the stored rows stay. */
  drop(streamId: string): void {
    for (const [k, t] of this.timers) if (t.streamId === streamId) this.timers.delete(k);
    this.rearm();
  }

  set(timer: DurableTimer): void {
    this.store.setTimer(timer);
    this.timers.set(key(timer.streamId, timer.timerId), timer);
    this.rearm();
  }

  clear(streamId: string, timerId: string): void {
    if (this.timers.delete(key(streamId, timerId))) this.store.clearTimer(streamId, timerId);
    this.rearm();
  }

  pending(): DurableTimer[] {
    return [...this.timers.values()];
  }

  stop(): void {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private rearm(): void {
    if (this.stopped) return;
    let earliest = Infinity;
    for (const t of this.timers.values()) if (t.dueAt < earliest) earliest = t.dueAt;
    if (earliest === this.armedFor && this.handle) return;
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = earliest;
    if (earliest === Infinity) return;
    const delay = Math.min(MAX_DELAY, Math.max(0, earliest - this.now()));
    this.handle = setTimeout(() => this.tick(), delay);
    this.handle.unref();
  }

  private tick(): void {
    this.handle = undefined;
    this.armedFor = Infinity;
    const t = this.now();
    const due = [...this.timers.values()].filter((x) => x.dueAt <= t).sort((a, b) => a.dueAt - b.dueAt);
    for (const timer of due) {
      // removed from memory now; the row is cleared by the owner once the fired event is decided
      this.timers.delete(key(timer.streamId, timer.timerId));
      try {
        this.fire(timer);
      } catch {
        /* a failing timer must not stop the others */
      }
    }
    this.rearm();
  }
}

function key(streamId: string, timerId: string): string {
  return `${streamId}\u0000${timerId}`;
}
