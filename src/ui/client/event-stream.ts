// Follows a session's log over SSE with fetch (EventSource cannot send the bearer header, and the token must never
// be in a URL). The cursor is the log position: every frame's `id:`. When the connection drops, it reconnects with
// `Last-Event-ID: <last position seen>`, so the server sends each event after it exactly once: nothing lost, nothing
// doubled. Frames at or before the cursor (none are expected) are dropped all the same.
import { authHeaders } from './api.js';

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

  const readOnce = async (c: AbortController) => {
    const headers = authHeaders({ accept: 'text/event-stream' });
    if (cursor > 0) headers['last-event-id'] = String(cursor);
    const r = await fetch(`/api/v1/sessions/${encodeURIComponent(sessionId)}/events`, { headers, signal: c.signal, cache: 'no-store', credentials: 'omit' });
    if (!r.ok || !r.body) throw Object.assign(new Error(`events stream answered ${r.status}`), { status: r.status });
    o.onState('live');
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let watchdog = setTimeout(() => c.abort(), SILENCE_MS);
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        clearTimeout(watchdog);
        watchdog = setTimeout(() => c.abort(), SILENCE_MS);
        buffer += value;
        const frames = buffer.split('\n\n');
        buffer = frames.pop()!;
        const batch: LogEvent[] = [];
        for (const frame of frames) {
          const e = parseFrame(frame);
          if (e && e.position > cursor) {
            cursor = e.position;
            batch.push(e);
          }
        }
        if (batch.length > 0) o.onEvents(batch);
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

/** One SSE frame of the events stream (`id:` and `data:` lines; comments and `retry:` ignored). */
function parseFrame(frame: string): LogEvent | undefined {
  let data = '';
  for (const line of frame.split('\n')) {
    if (line.startsWith('data:')) data += line.slice(line.charAt(5) === ' ' ? 6 : 5);
  }
  if (!data) return undefined;
  return JSON.parse(data) as LogEvent;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
