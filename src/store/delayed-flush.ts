// The one timer of a store's write queue for every delayed flush (a lingering append, a lazy snapshot write): the
// soonest deadline wins, and only a flush an append waits on keeps the process alive. Both stores' queues use it.
export class DelayedFlush {
  private timer: NodeJS.Timeout | undefined;
  private due = Infinity;

  constructor(private readonly flush: () => void) {}

  /** Flush within `ms`, unless a flush is already due sooner; `keepAlive`: an append waits on it. */
  within(ms: number, keepAlive: boolean): void {
    const due = performance.now() + ms;
    if (this.timer !== undefined && this.due <= due) {
      if (keepAlive) this.timer.ref();
      return;
    }
    clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = Infinity;
      this.flush();
    }, ms);
    if (!keepAlive) this.timer.unref();
  }

  /** The flush happens now, by other means: no timer left. */
  cancel(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = Infinity;
  }
}
