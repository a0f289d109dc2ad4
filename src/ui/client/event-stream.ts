// Follows a session's log over SSE with the typed client (EventSource cannot send the bearer header, and the token must never
// be in a URL). The cursor is the log position: every frame's `id:`. When the connection drops, it reconnects with
// `Last-Event-ID: <last position seen>`, so the server sends each event after it exactly once: nothing lost, nothing
// doubled. Frames at or before the cursor (none are expected) are dropped all the same.
import { client } from './api.js';
import { sseFrames } from '../../client/sse.js';

export interface LogEvent {
  position: number;
  stream: string;
  stream_position: number;
  type: string;
  at: string;
  data: any;
  meta: any;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface FollowOptions {
  /** the position to start after (0: from the beginning) */
  after: number;
  onEvents(events: LogEvent[]): void;
  onState(state: StreamState, detail?: string): void;
}

/** The server sends a comment every 15 s: a connection silent for longer than this is dead (a proxy, a laptop lid). */
const SILENCE_MS = 40_000;
const RETRY_MS = [500, 1000, 2000, 4000, 8000];

/** Follow `/api/v1/sessions/{id}/events`; the returned function stops. */
export function followSessionEvents(sessionId: string, o: FollowOptions): () => void {
  let cursor = o.after;
  let stopped = false;
  let controller: AbortController | undefined;
  let failures = 0;

  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      o.onState(failures === 0 ? 'connecting' : 'reconnecting');
      try {
        await readOnce(controller);
        failures = 0; // the server ended the stream (it does not while following): reconnect at once
      } catch (e) {
        if (stopped) break;
        const status = (e as { status?: number }).status;
        if (status === 401 || status === 403 || status === 404) {
          o.onState('stopped', (e as Error).message);
          return;
        }
        o.onState('reconnecting', (e as Error).message);
        await sleep(RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!);
        failures++;
      }
    }
  };

  // the frames that arrive together are handed over together (one render for a burst, not one per event)
  let batch: LogEvent[] = [];
  const deliver = (e: LogEvent) => {
    batch.push(e);
    if (batch.length === 1) {
      setTimeout(() => {
        const events = batch;
        batch = [];
        if (!stopped) o.onEvents(events);
      }, 0);
    }
  };

  const readOnce = async (c: AbortController) => {
    // throws the client's ApiError (with its status) for an answer that is not 2xx
    const r = await client().open('sessionEvents', {
      params: { id: sessionId },
      headers: { accept: 'text/event-stream', ...(cursor > 0 ? { 'last-event-id': String(cursor) } : {}) },
      signal: c.signal,
    });
    o.onState('live');
    // every chunk (the server's keep-alive comments too) proves the connection alive
    let watchdog = setTimeout(() => c.abort(), SILENCE_MS);
    const alive = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => c.abort(), SILENCE_MS);
        out.enqueue(chunk);
      },
    });
    try {
      for await (const frame of sseFrames(r.body!.pipeThrough(alive))) {
        const e = JSON.parse(frame.data) as LogEvent;
        if (e.position > cursor) {
          cursor = e.position;
          deliver(e);
        }
      }
    } finally {
      clearTimeout(watchdog);
    }
  };

  void run();
  return () => {
    stopped = true;
    controller?.abort();
    o.onState('stopped');
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
