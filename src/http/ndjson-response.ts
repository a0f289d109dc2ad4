// Streams NDJSON chunks into a uWS response the handler took over, in constant memory whatever the log's size:
// one chunk per event-loop turn (other requests keep being served), corked, and when `write` reports backpressure
// (uWS kept the rest of the chunk buffered) nothing more is produced until `onWritable`. The client going away
// stops the producer (its `return()` closes the log iterator). uWS rules: the response is touched only while
// `ctx.open`, and `ctx.done` is set once it ended.
import type { RequestContext } from './request-context.js';
import { statusLine } from './errors.js';

export interface NdjsonStreamOptions {
  /** a failure after the headers went out: the connection is closed so the client sees a cut-off stream */
  onError(error: unknown, headersSent: boolean): void;
}

export function streamNdjson(ctx: RequestContext, chunks: Iterator<string, void>, o: NdjsonStreamOptions): void {
  const res = ctx.res;
  let headersSent = false;
  let stopped = false;
  let waitingForDrain = false;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      chunks.return?.();
    } catch (e) {
      o.onError(e, headersSent);
    }
  };
  ctx.onAbort(stop);
  res.onWritable(() => {
    if (waitingForDrain) {
      waitingForDrain = false;
      setImmediate(pump);
    }
    return true;
  });

  const writeHead = (): void => {
    if (headersSent) return;
    headersSent = true;
    res.writeStatus(statusLine(200));
    res.writeHeader('x-request-id', ctx.requestId);
    res.writeHeader('content-type', 'application/x-ndjson');
    res.writeHeader('cache-control', 'no-store');
  };

  const fail = (error: unknown): void => {
    stop();
    o.onError(error, headersSent);
    if (!ctx.open) return;
    ctx.done = true;
    if (headersSent) {
      res.cork(() => res.close()); // a clean end would look like a complete export
    } else {
      res.cork(() => {
        res.writeStatus(statusLine(500));
        res.writeHeader('x-request-id', ctx.requestId);
        res.writeHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: { code: 'internal', message: 'export failed' } }));
      });
    }
  };

  function pump(): void {
    if (stopped || !ctx.open) return stop();
    let next: IteratorResult<string, void>;
    try {
      next = chunks.next();
    } catch (e) {
      return fail(e);
    }
    if (next.done) {
      stopped = true;
      ctx.done = true;
      res.cork(() => {
        writeHead();
        res.end();
      });
      return;
    }
    const chunk = next.value;
    let accepted = true;
    res.cork(() => {
      writeHead();
      accepted = res.write(chunk);
    });
    if (!ctx.open) return stop(); // the write found the connection gone
    if (accepted) setImmediate(pump);
    else waitingForDrain = true;
  }

  pump();
}
