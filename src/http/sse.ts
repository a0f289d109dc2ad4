// Server-sent events over a uWS response: the headers proxies need, a heartbeat comment every 15 s, and a sink for
// StreamCursor that writes each batch with one write (the shared ResponseStream corks it and handles backpressure
// and aborts).
import type { RequestContext } from './request-context.js';
import { ResponseStream } from './response-stream.js';
import type { ClosableSink } from '../streams/session-streams.js';

const HEARTBEAT_MS = 15_000;
const open = new Set<SseResponse>();
let heartbeat: NodeJS.Timeout | undefined;

export class SseResponse implements ClosableSink {
  private readonly out: ResponseStream;
  /** the last write was not taken whole: no heartbeat until the socket drained */
  private blocked = false;

  constructor(ctx: RequestContext) {
    this.out = new ResponseStream(ctx, 200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    // sends the head at once; `retry` tells EventSource clients to reconnect (with Last-Event-ID) after 1 s
    // instead of its default 3 s
    this.out.write(': open\nretry: 1000\n\n');
    open.add(this);
    this.out.onAbort(() => open.delete(this));
    if (!heartbeat) {
      heartbeat = setInterval(() => {
        for (const s of open) {
          if (!s.out.alive) open.delete(s); // cut by the writer (a throw while resuming)
          else if (!s.blocked) s.out.write(': ping\n\n');
        }
      }, HEARTBEAT_MS);
      heartbeat.unref();
    }
  }

  write(frames: string[], bytes?: Uint8Array): boolean {
    const ok = this.out.write(bytes ?? (frames.length === 1 ? frames[0]! : frames.join('')));
    if (!ok) this.blocked = true;
    return ok;
  }

  onWritable(resume: () => void): void {
    this.out.onWritable(() => {
      this.blocked = false;
      resume();
    });
  }

  end(): void {
    open.delete(this);
    this.out.end();
  }

  /** Drop the connection at once (a stalled client): its buffer is freed, and it resumes with Last-Event-ID. */
  close(): void {
    open.delete(this);
    this.out.close();
  }
}
