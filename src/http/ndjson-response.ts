// Streams NDJSON chunks into a uWS response the handler took over, in constant memory whatever the log's size:
// one chunk per event-loop turn (other requests keep being served), and when a write reports backpressure (uWS
// kept the rest of the chunk buffered) nothing more is produced until the socket drained. The client going away
// stops the producer (its `return()` closes the log iterator). The uWS rules are kept by ResponseStream.
import type { RequestContext } from './request-context.js';
import { ResponseStream } from './response-stream.js';

export interface NdjsonStreamOptions {
  /** a failure after the headers went out: the connection is closed so the client sees a cut-off stream */
  onError(error: unknown, headersSent: boolean): void;
}

export function streamNdjson(ctx: RequestContext, chunks: Iterator<string, void>, o: NdjsonStreamOptions): void {
  const out = new ResponseStream(ctx, 200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  let stopped = false;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      chunks.return?.();
    } catch (e) {
      o.onError(e, out.headersSent);
    }
  };
  out.onAbort(stop);

  const fail = (error: unknown): void => {
    stop();
    o.onError(error, out.headersSent);
    out.fail(500, { code: 'internal', message: 'export failed' });
  };

  function pump(): void {
    if (stopped || !out.alive) return stop();
    let next: IteratorResult<string, void>;
    try {
      next = chunks.next();
    } catch (e) {
      return fail(e);
    }
    if (next.done) {
      stopped = true;
      out.end();
      return;
    }
    const accepted = out.write(next.value);
    if (!out.alive) return stop(); // the write found the connection gone
    if (accepted) setImmediate(pump);
    else out.onWritable(() => setImmediate(pump));
  }

  pump();
}
