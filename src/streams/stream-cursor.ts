// One client's position in one session's stream, and the rule that makes every stream lossless:
// the log is the buffer. Live batches are written straight through while the client keeps up; while the client is
// catching up or is backpressured, live batches are dropped and the client is brought up to date from the log
// instead (in pages). Every event with a larger position than the cursor is delivered exactly once, in order.
import type { EventStore, RecordedEvent } from '../store/types.js';

/** Where the bytes go (an SSE response, a WebSocket). */
export interface StreamSink {
  /**
   * Write the frames of one batch (SSE: concatenated into one write; WS: one message each, corked together).
   * `bytes`, when given, is the frames concatenated and encoded once for every client of the batch.
   * false = the client is backpressured (the data was buffered; stop writing).
   */
  write(frames: string[], bytes?: Uint8Array): boolean;
  /** call `resume` once when the client can take more after a false write */
  onWritable(resume: () => void): void;
  /** the stream is complete: end gracefully */
  end(): void;
}

/** Turns logged events into what the client reads. `final` ends the stream after this chunk. */
export interface StreamFormat {
  /** the client text for one event, or undefined when this kind of event is not shown to the client */
  frame(e: RecordedEvent): string | undefined;
  /** true when the stream is complete after `e` (a prompt stream ends with its turn) */
  isFinal?(e: RecordedEvent): boolean;
}

const PAGE = 500;

export class StreamCursor {
  /** position of the last event handled (written, or skipped as not shown) */
  lastDelivered: number;
  blocked = false;
  blockedSince = 0;
  done = false;
  private reading = false;
  private behind = false;

  constructor(
    private readonly store: EventStore,
    readonly streamId: string,
    after: number,
    private readonly sink: StreamSink,
    private readonly format: StreamFormat,
    /** an event position beyond which nothing is delivered (follow=false); Infinity to follow */
    private readonly until = Infinity,
  ) {
    this.lastDelivered = after;
  }

  /** Start: catch up from the log (the cursor must already be registered for live batches). */
  start(): void {
    this.catchUp();
  }

  /** A live batch of this stream's events, in commit order. */
  push(events: readonly RecordedEvent[]): void {
    if (this.done) return;
    if (this.reading || this.blocked || this.behind) {
      this.behind = true; // the log has them; we read them when we can
      return;
    }
    // the common case of a fan-out: the whole batch is new to this client and cannot end its stream, so it gets the
    // batch rendered and encoded once for all clients
    if (events[0]!.position > this.lastDelivered && this.until === Infinity && !this.format.isFinal) {
      const batch = renderBatch(events, this.format.frame);
      this.lastDelivered = events[events.length - 1]!.position;
      if (batch.frames.length > 0 && !this.sink.write(batch.frames, batch.bytes)) this.block();
      return;
    }
    this.deliver(events);
  }

  /** Move the cursor (a client asked to resume after another position) and catch up from there. */
  rewind(after: number): void {
    if (this.done) return;
    this.lastDelivered = after;
    this.behind = true;
    if (!this.reading && !this.blocked) this.catchUp();
  }

  private deliver(events: readonly RecordedEvent[]): void {
    const out: string[] = [];
    let final = false;
    for (const e of events) {
      if (e.position <= this.lastDelivered) continue;
      if (e.position > this.until) {
        final = true;
        break;
      }
      this.lastDelivered = e.position;
      const f = this.format.frame(e);
      if (f !== undefined) out.push(f);
      if (this.format.isFinal?.(e)) {
        final = true;
        break;
      }
    }
    if (this.lastDelivered >= this.until) final = true;
    if (out.length > 0 && !this.sink.write(out) && !final) this.block();
    if (final) this.finish();
  }

  private block(): void {
    this.blocked = true;
    this.blockedSince = Date.now();
    this.sink.onWritable(() => {
      this.blocked = false;
      this.behind = true;
      this.catchUp();
    });
  }

  /** Read from the log after the cursor, a page per tick, until up to date (or blocked, or done). */
  private catchUp(): void {
    if (this.done || this.blocked) return;
    this.reading = true;
    this.behind = false;
    const page = this.store.readStreamAfter(this.streamId, this.lastDelivered, PAGE);
    if (page.length > 0) this.deliver(page);
    if (this.done || this.blocked) {
      this.reading = false;
      return;
    }
    if (page.length === PAGE || this.behind) {
      setImmediate(() => this.catchUp());
      return;
    }
    this.reading = false; // up to date as of this tick: live batches flow straight through from now on
    // a bounded stream (follow=false) ends here: everything up to `until` was committed before it started
    if (this.until !== Infinity) this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.sink.end();
  }

  /** The client went away (or was closed): stop everything. */
  close(): void {
    this.done = true;
  }
}

interface RenderedBatch {
  frames: string[];
  bytes: Uint8Array;
}

const batches = new WeakMap<readonly RecordedEvent[], Map<StreamFormat['frame'], RenderedBatch>>();

/** A live batch rendered once per frame function (shared by every client of the stream), encoded lazily. */
function renderBatch(events: readonly RecordedEvent[], frame: StreamFormat['frame']): RenderedBatch {
  let byFrame = batches.get(events);
  if (!byFrame) batches.set(events, (byFrame = new Map()));
  let b = byFrame.get(frame);
  if (!b) {
    const frames: string[] = [];
    for (const e of events) {
      const f = frame(e);
      if (f !== undefined) frames.push(f);
    }
    let bytes: Uint8Array | undefined;
    b = {
      frames,
      get bytes() {
        return (bytes ??= Buffer.from(frames.join('')));
      },
    };
    byFrame.set(frame, b);
  }
  return b;
}
