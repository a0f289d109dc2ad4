// Server-sent events over a uWS response: the headers proxies need, a heartbeat comment every 15 s, and a sink
// for StreamCursor that writes each batch with one corked write and reports backpressure.
import type { RequestContext } from './request-context.js';
import type { StreamSink } from '../streams/stream-cursor.js';

const HEARTBEAT_MS = 15_000;
const open = new Set<SseResponse>();
let heartbeat: NodeJS.Timeout | undefined;

export class SseResponse implements StreamSink {
  private blocked = false;
  private resume: (() => void) | undefined;
  private writableHooked = false;

  constructor(private readonly ctx: RequestContext) {
    ctx.done = true; // the response belongs to the stream from now on (RequestContext.send must not touch it)
    ctx.res.cork(() => {
      ctx.res.writeStatus('200 OK');
      ctx.res.writeHeader('content-type', 'text/event-stream');
      ctx.res.writeHeader('cache-control', 'no-cache');
      ctx.res.writeHeader('x-accel-buffering', 'no');
      ctx.res.writeHeader('x-request-id', ctx.requestId);
      // `retry` tells EventSource clients to reconnect (with Last-Event-ID) after 1 s instead of its default 3 s
      ctx.res.write(': open\nretry: 1000\n\n');
    });
    open.add(this);
    ctx.onAbort(() => open.delete(this));
    if (!heartbeat) {
      heartbeat = setInterval(() => {
        for (const s of open) if (!s.blocked) s.writeRaw(': ping\n\n');
      }, HEARTBEAT_MS);
      heartbeat.unref();
    }
  }

  get alive(): boolean {
    return !this.ctx.aborted && open.has(this);
  }

  write(frames: string[], bytes?: Uint8Array): boolean {
    const ok = this.writeRaw(bytes ?? (frames.length === 1 ? frames[0]! : frames.join('')));
    if (!ok) this.blocked = true;
    return ok;
  }

  onWritable(resume: () => void): void {
    if (!this.alive) return;
    this.resume = resume;
    // one uWS writable handler per response: uWS 20.30 loses a handler registered while it runs the previous one
    // (which is exactly when a resumed stream blocks again), and the stream would stall
    if (this.writableHooked) return;
    this.writableHooked = true;
    this.ctx.res.onWritable(() => {
      this.blocked = false;
      const r = this.resume;
      this.resume = undefined;
      try {
        r?.();
      } catch {
        // a throw in a uWS callback is uncaught: the stream is cut instead, and its client resumes from its cursor
        open.delete(this);
        this.ctx.res.close();
      }
      return true;
    });
  }

  /** Send one named event outside the log (e.g. an error before the stream could start). */
  event(name: string, data: unknown, id?: number): void {
    this.writeRaw(`${id !== undefined ? `id: ${id}\n` : ''}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (!this.alive) return;
    open.delete(this);
    this.ctx.res.cork(() => this.ctx.res.end());
  }

  /** Drop the connection at once (a stalled client): its buffer is freed, and it resumes with Last-Event-ID. */
  close(): void {
    if (!this.alive) return;
    open.delete(this);
    this.ctx.res.close();
  }

  private writeRaw(text: string | Uint8Array): boolean {
    if (!this.alive) return true;
    let ok = true;
    this.ctx.res.cork(() => {
      ok = this.ctx.res.write(text);
    });
    return ok;
  }
}

export function openSseCount(): number {
  return open.size;
}
