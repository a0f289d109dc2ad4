// One client's position in one session's stream, and the rule that makes every stream lossless:
// the log is the buffer. Live batches are written straight through while the client keeps up; while the client is
// catching up or is backpressured, live batches are dropped and the client is brought up to date from the log
// instead (in pages). Every event with a larger position than the cursor is delivered exactly once, in order.
import { CatchUpReader } from '../store/catch-up-reader.js';
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
  /** cut the connection (the stream failed: the client resumes from its last position) */
  close?(): void;
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
  blockedSince = 0;
  done = false;
  private readonly reader: CatchUpReader;

  constructor(
    store: EventStore,
    readonly streamId: string,
    after: number,
    private readonly sink: StreamSink,
    private readonly format: StreamFormat,
    /** an event position beyond which nothing is delivered (follow=false); Infinity to follow */
    private readonly until = Infinity,
  ) {
    this.reader = new CatchUpReader(
      {
        read: (position, limit) => store.readStreamAfter(streamId, position, limit),
        deliver: (events) => this.deliver(events),
        // the store failed under a read, or the sink threw: the client is cut and resumes from its last position
        onError: () => this.finish(true),
        // a bounded stream (follow=false) ends once caught up: everything up to `until` was committed before it began
        onLive: () => {
          if (this.until !== Infinity) this.finish();
        },
      },
      after,
      PAGE,
    );
  }

  /** position of the last event handled (written, or skipped as not shown) */
  get lastDelivered(): number {
    return this.reader.position;
  }

  /** the client is backpressured: live batches wait in the log until it drained */
  get blocked(): boolean {
    return this.reader.paused;
  }

  /** Start: catch up from the log (the cursor must already be registered for live batches). */
  start(): void {
    this.reader.start();
  }

  /** A live batch of this stream's events, in commit order. */
  push(events: readonly RecordedEvent[]): void {
    this.reader.push(events);
  }

  /** Move the cursor (a client asked to resume after another position) and catch up from there. */
  rewind(after: number): void {
    this.reader.rewind(after);
  }

  /** Write events that all come after the cursor (a log page, or the new part of a live batch). */
  private deliver(events: readonly RecordedEvent[]): void {
    // the common case of a fan-out: the whole batch cannot end this client's stream, so it gets the batch rendered
    // and encoded once for all clients
    if (this.until === Infinity && !this.format.isFinal) {
      const batch = renderBatch(events, this.format.frame);
      if (batch.frames.length > 0 && !this.sink.write(batch.frames, batch.bytes)) this.block();
      return;
    }
    const out: string[] = [];
    let final = false;
    for (const e of events) {
      if (e.position > this.until) {
        final = true;
        break;
      }
      const f = this.format.frame(e);
      if (f !== undefined) out.push(f);
      if (this.format.isFinal?.(e)) {
        final = true;
        break;
      }
    }
    if (events[events.length - 1]!.position >= this.until) final = true;
    if (out.length > 0 && !this.sink.write(out) && !final) this.block();
    if (final) this.finish();
  }

  private block(): void {
    this.reader.pause();
    this.blockedSince = Date.now();
    this.sink.onWritable(() => this.reader.resume());
  }

  private finish(cut = false): void {
    if (this.done) return;
    this.close();
    if (cut) this.sink.close?.();
    else this.sink.end();
  }

  /** The client went away (or was closed): stop everything. */
  close(): void {
    this.done = true;
    this.reader.close();
  }
}

interface RenderedBatch {
  frames: string[];
  bytes: Uint8Array;
}

const batches = new WeakMap<readonly RecordedEvent[], Map<StreamFormat['frame'], RenderedBatch>>();
// the batch being fanned out right now: every client of a live batch after the first finds it here, without a lookup
let lastEvents: readonly RecordedEvent[] | undefined;
let lastFrame: StreamFormat['frame'] | undefined;
let lastBatch: RenderedBatch | undefined;

/** A live batch rendered once per frame function (shared by every client of the stream), encoded lazily. */
function renderBatch(events: readonly RecordedEvent[], frame: StreamFormat['frame']): RenderedBatch {
  if (events === lastEvents && frame === lastFrame) return lastBatch!;
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
        return (bytes ??= Buffer.from(frames.length === 1 ? frames[0]! : frames.join('')));
      },
    };
    byFrame.set(frame, b);
  }
  lastEvents = events;
  lastFrame = frame;
  lastBatch = b;
  return b;
}
