// Opening streams of a session's log for clients: prompt streams (end with their turn), the events stream (the
// whole audit trail, following or up to the present), and WebSocket subscriptions. All of them are StreamCursors
// fed by one SessionFeed, so they share the same lossless rule and the same stall handling.
import type { EventStore, RecordedEvent } from '../store/types.js';
import { SessionFeed } from './session-feed.js';
import { StreamCursor, type StreamFormat, type StreamSink } from './stream-cursor.js';
import { endsTurn, memoFrames, renderSse } from './client-messages.js';
import { eventViewJson } from './event-view.js';
import { sseFrame } from './sse-frame.js';

export interface ClosableSink extends StreamSink {
  /** drop the client at once (stalled) */
  close(): void;
}

export class SessionStreams {
  readonly feed: SessionFeed;

  constructor(
    private readonly store: EventStore,
    stallLimitMs: number,
  ) {
    this.feed = new SessionFeed(store, { stallLimitMs });
  }

  /** Stream a session's events after `after` to `sink` with `format`, until the format says the stream is done. */
  open(sessionId: string, after: number, sink: ClosableSink, format: StreamFormat, until = Infinity): StreamCursor {
    const cursor = new StreamCursor(this.store, `session:${sessionId}`, after, sink, format, until);
    this.feed.open(cursor, () => sink.close());
    return cursor;
  }

  close(cursor: StreamCursor): void {
    this.feed.close(cursor);
  }

  /** Position of the newest event of a session (0 when it has none). */
  lastPosition(sessionId: string): number {
    const streamId = `session:${sessionId}`;
    const version = this.store.streamVersion(streamId);
    if (version === 0) return 0;
    return this.store.readStream(streamId, version, 1)[0]?.position ?? 0;
  }

  stop(): void {
    this.feed.stop();
  }
}

/** The SSE prompt stream of turn `turn`: client messages, ending with the turn's turn_complete (or error). */
export function promptSseFormat(turn: number): StreamFormat {
  return { frame: renderSse, isFinal: (e) => endsTurn(e, turn) };
}

const eventsFormats = new Map<string, StreamFormat>();

/**
 * The SSE events stream: every logged event as `eventView` JSON, optionally only one type. One format (and one
 * memoised rendering per event) per type filter, shared by every client.
 */
export function eventsSseFormat(type?: string): StreamFormat {
  const key = type ?? '';
  let f = eventsFormats.get(key);
  if (!f) {
    f = { frame: memoFrames((e: RecordedEvent) => (type && e.type !== type ? undefined : sseFrame(e.position, eventViewJson(e)))) };
    eventsFormats.set(key, f);
  }
  return f;
}
