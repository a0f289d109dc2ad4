// A promise with its resolve/reject exposed (waiters for events that another code path produces).
export class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: Error) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.promise.catch(() => undefined); // a waiter that nobody awaits must not become an unhandled rejection
  }
}
