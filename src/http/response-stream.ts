// The one streaming edge over a uWS response, shared by SSE (sse.ts), NDJSON exports (ndjson-response.ts) and the
// MCP web bridge (web-bridge.ts). It keeps the uWS rules in one place (runtime-tech.md §3.2):
// - the response is never touched after the client aborted or after it ended (`alive`);
// - every write is corked (writes happen outside uWS callbacks: timers, commits, promise continuations);
// - ONE uWS writable handler per response, registered on the first backpressure: uWS 20.30 puts back the handler it
//   was calling after the call, so a handler registered from within it (exactly when a resumed stream blocks
//   again) would be lost and the stream would stall;
// - nothing thrown by the code it resumes escapes into uWS (an uncaught throw in a uWS callback kills the process):
//   the connection is cut instead, and a log-backed client resumes from its cursor.
// The status line and headers go out with the first write (or the end), so a failure before any byte can still
// be answered with an error status (see `fail`).
import type { RequestContext } from './request-context.js';
import { statusLine } from './errors.js';

export class ResponseStream {
  private headSent = false;
  private finished = false;
  private resume: (() => void) | undefined;
  private writableHooked = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly status: number,
    private readonly headers: Record<string, string>,
  ) {
    ctx.done = true; // the response belongs to the stream from now on (RequestContext.send must not touch it)
  }

  /** The response can still be written (the client is there and the stream did not end). */
  get alive(): boolean {
    return !this.finished && !this.ctx.aborted;
  }

  get headersSent(): boolean {
    return this.headSent;
  }

  /** Run `handler` once when the client goes away before the stream ended. */
  onAbort(handler: () => void): void {
    this.ctx.onAbort(handler);
  }

  /**
   * Write one chunk (corked, with the head first if it has not gone out). true = keep writing; false = the socket
   * is behind: uWS buffered the chunk, and nothing more should be written until `onWritable` resumes the writer.
   * Writing to a dead stream is a no-op that reports true (its producer learns of the end through `onAbort`).
   */
  write(chunk: string | Uint8Array): boolean {
    if (!this.alive) return true;
    pending.stream = this;
    pending.chunk = chunk;
    pending.ok = true;
    try {
      this.ctx.res.cork(ResponseStream.writePending);
      return pending.ok;
    } finally {
      pending.stream = undefined;
      pending.chunk = undefined;
    }
  }

  /** Call `resume` once, when the socket drained after a false `write` (never after the stream died). */
  onWritable(resume: () => void): void {
    if (!this.alive) return;
    this.resume = resume;
    if (this.writableHooked) return;
    this.writableHooked = true;
    this.ctx.res.onWritable(() => {
      const r = this.resume;
      this.resume = undefined;
      if (r && this.alive) {
        try {
          r();
        } catch {
          this.close();
        }
      }
      return true;
    });
  }

  /** End the response gracefully (corked; the head first if nothing was written). */
  end(chunk?: string | Uint8Array): void {
    if (!this.alive) return;
    this.finished = true;
    this.resume = undefined;
    const res = this.ctx.res;
    res.cork(() => {
      this.writeHead();
      if (chunk === undefined) res.end();
      else res.end(chunk);
    });
  }

  /** Cut the connection at once (a stalled client, or a failure after the head went out). */
  close(): void {
    if (!this.alive) return;
    this.finished = true;
    this.resume = undefined;
    this.ctx.res.close();
  }

  /**
   * The producer failed. Before any byte went out the client gets a clean JSON error with `status`; after, the
   * status is gone, and the only honest signal left is a cut connection (a clean end would look complete).
   */
  fail(status: number, error: { code: string; message: string }): void {
    if (!this.alive) return;
    if (this.headSent) return this.close();
    this.finished = true;
    this.headSent = true;
    const res = this.ctx.res;
    res.cork(() => {
      res.writeStatus(statusLine(status));
      res.writeHeader('x-request-id', this.ctx.requestId);
      res.writeHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error }));
    });
  }

  /** The one function handed to uWS's cork by `write` (inside a cork only). */
  private static readonly writePending = (): void => {
    const stream = pending.stream!;
    stream.writeHead();
    pending.ok = stream.ctx.res.write(pending.chunk!);
  };

  /** Inside a cork only: the status line and headers, once. */
  private writeHead(): void {
    if (this.headSent) return;
    this.headSent = true;
    const res = this.ctx.res;
    res.writeStatus(statusLine(this.status));
    res.writeHeader('x-request-id', this.ctx.requestId);
    for (const k in this.headers) res.writeHeader(k, this.headers[k]!);
  }
}

// The chunk being written, for ResponseStream.writePending: the one function handed to uWS's cork for every chunk of
// every stream (a fan-out writes one chunk per client per batch: no closure each). cork runs it at once, so `pending`
// is filled, read and cleared within one synchronous call.
const pending: { stream: ResponseStream | undefined; chunk: string | Uint8Array | undefined; ok: boolean } = { stream: undefined, chunk: undefined, ok: true };
