// Outcomes as the log commits them. A caller that waits for the end of a turn (a REST prompt, an MCP call, a close
// that gives the agent its grace) or for the outcome of a model change waits for the committed event that records
// it: TurnEnded of turn n, ModelChanged / ModelChangeFailed of the request at position p. Whichever path recorded
// the event (the agent's answer, its exit, a timeout, a close), the signal is the same, and it is the one SSE and
// WebSocket clients see in the log. One listener on the store for the whole gateway, waiters indexed by session.
// A waiter may also be a callback, called inside the commit's announcement: a blocking REST prompt answers from
// there, before the promise jobs of that commit run (folding the TurnEnded into the session machine, an XState
// transition, is not on the reply's path; a request that comes after the reply still sees it folded).
import type { EventStore, RecordedEvent } from '../store/types.js';
import { Deferred } from './deferred.js';

const PREFIX = 'session:';
/** recently committed outcomes kept for a waiter that comes late (bounded over all sessions) */
const RECENT = 256;

export class SessionSignals {
  private readonly waiters = new Map<string, Deferred<RecordedEvent>>();
  private readonly recent = new Map<string, RecordedEvent>();
  private readonly callbacks = new Map<string, Array<(outcome: RecordedEvent | Error) => void>>();

  constructor(store: EventStore) {
    store.onCommitted((events) => {
      for (const e of events) {
        const key = outcomeKey(e);
        if (key !== undefined) this.settle(key, e);
      }
    });
  }

  /** Resolves with the committed TurnEnded of turn `n` of session `id`. */
  turnEnded(id: string, n: number): Promise<RecordedEvent> {
    return this.wait(`${PREFIX}${id}#turn:${n}`);
  }

  /**
   * Calls `done` with the committed TurnEnded of turn `n` of session `id` (or the error that kept it from being
   * recorded) synchronously when the commit is announced, or at once when it is already committed.
   */
  whenTurnEnded(id: string, n: number, done: (outcome: RecordedEvent | Error) => void): void {
    const key = `${PREFIX}${id}#turn:${n}`;
    const ended = this.recent.get(key);
    if (ended) return done(ended);
    const list = this.callbacks.get(key);
    if (list) list.push(done);
    else this.callbacks.set(key, [done]);
  }

  /** Resolves with the committed ModelChanged or ModelChangeFailed of the ModelChangeRequested at `request`. */
  modelChanged(id: string, request: number): Promise<RecordedEvent> {
    return this.wait(`${PREFIX}${id}#model:${request}`);
  }

  /** The TurnEnded of turn `n` could not be recorded (the log failed): its waiters get the error. */
  turnFailed(id: string, n: number, error: Error): void {
    const key = `${PREFIX}${id}#turn:${n}`;
    this.waiters.get(key)?.reject(error);
    this.waiters.delete(key);
    this.call(key, error);
  }

  private wait(key: string): Promise<RecordedEvent> {
    const done = this.recent.get(key);
    if (done) return Promise.resolve(done);
    let d = this.waiters.get(key);
    if (!d) this.waiters.set(key, (d = new Deferred<RecordedEvent>()));
    return d.promise;
  }

  private settle(key: string, e: RecordedEvent): void {
    const d = this.waiters.get(key);
    this.waiters.delete(key);
    d?.resolve(e);
    this.recent.set(key, e);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value!);
    this.call(key, e);
  }

  private call(key: string, outcome: RecordedEvent | Error): void {
    const list = this.callbacks.get(key);
    if (!list) return;
    this.callbacks.delete(key);
    for (const done of list) done(outcome);
  }
}

function outcomeKey(e: RecordedEvent): string | undefined {
  if (!e.streamId.startsWith(PREFIX)) return undefined;
  if (e.type === 'TurnEnded') return `${e.streamId}#turn:${(e.data as { turn: number }).turn}`;
  if (e.type === 'ModelChanged' || e.type === 'ModelChangeFailed') {
    const request = (e.data as { request?: number }).request;
    return request === undefined ? undefined : `${e.streamId}#model:${request}`;
  }
  return undefined;
}
