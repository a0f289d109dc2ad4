// uWS ↔ Web-standard Request/Response, for handlers written against the Fetch API (the MCP SDK's transport).
// The request side relies on RequestContext: headers, url and method were copied synchronously and the abort handler
// was attached before the handler returned (runtime-tech.md §3.2 rules 1 and 3). The response side sends complete
// bodies in one corked write and pumps event streams chunk by chunk through the shared ResponseStream (corked,
// pausing on backpressure, never touching an aborted response: rules 2, 4 and 6).
import type { RequestContext } from './request-context.js';
import { ResponseStream } from './response-stream.js';

const FIXED_ORIGIN = 'http://aintegrix.invalid';

/** The request's URL on the fixed origin (the URL parser escapes what a path may not hold; '/' if it still fails). */
function requestUrl(path: string, query: string): string {
  const url = `${FIXED_ORIGIN}${path.startsWith('/') ? path : '/'}${query ? `?${query}` : ''}`;
  return URL.canParse(url) ? url : `${FIXED_ORIGIN}/`;
}

/** Headers uWS writes itself (framing, connection management); copying them from a Response would duplicate them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date', 'upgrade']);

export interface WebRequestInit {
  /** the request body, already collected (with its cap) by the caller */
  body?: Uint8Array;
  /** header values to set or replace (lower-case names) */
  headers?: Record<string, string>;
}

/** A Fetch `Request` for this uWS request. Its `signal` aborts when the client goes away. */
export function toWebRequest(ctx: RequestContext, init: WebRequestInit = {}): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(ctx.headers)) headers.set(k, v);
  for (const [k, v] of Object.entries(init.headers ?? {})) headers.set(k, v);
  const query = ctx.query.toString();
  // A fixed origin, never the Host header: a Host that is not a host made `new Request` throw (a 500), and nothing
  // downstream may build links from what a client claims the server is called. The Host header itself is passed on.
  const url = requestUrl(ctx.url, query);
  const aborter = new AbortController();
  ctx.onAbort(() => aborter.abort());
  const method = ctx.method.toUpperCase();
  const withBody = init.body !== undefined && method !== 'GET' && method !== 'HEAD';
  return new Request(url, { method, headers, signal: aborter.signal, ...(withBody ? { body: init.body } : {}) });
}

/**
 * Write `response` to the uWS response. Event streams (`text/event-stream`) are pumped as they come; any other body
 * is read whole and sent with its length. When the client aborts, the body's reader is cancelled, which is how the
 * producer (e.g. the SDK's SSE stream) learns that nobody is listening any more.
 */
export async function sendWebResponse(ctx: RequestContext, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    if (!HOP_BY_HOP.has(k)) headers[k] = v;
  });
  const body = response.body;
  if (!body || !(headers['content-type'] ?? '').startsWith('text/event-stream')) {
    const bytes = body ? new Uint8Array(await response.arrayBuffer()) : undefined;
    ctx.send(response.status, bytes, headers);
    return;
  }
  await pumpEventStream(ctx, response.status, headers, body);
}

async function pumpEventStream(ctx: RequestContext, status: number, headers: Record<string, string>, body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  if (!ctx.open) {
    await reader.cancel().catch(() => undefined);
    return;
  }
  // From here on the stream owns the response: the router must not answer it again after an error.
  const out = new ResponseStream(ctx, status, headers);
  let drained: (() => void) | undefined;
  out.onAbort(() => {
    reader.cancel().catch(() => undefined);
    drained?.(); // wake a loop waiting for the socket: it finds the stream dead and returns
  });
  // uWS 20.30 sends the headers only with the first body bytes; an SSE comment delivers them now, so a client
  // waiting on a quiet stream (the MCP GET stream) sees it open at once. SSE parsers skip comments.
  out.write(': open\n\n');
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (!out.alive) return;
      if (done) break;
      if (!out.write(value)) {
        // buffered by uWS, but the socket is behind: read nothing more until it drained (or the client left)
        await new Promise<void>((resolve) => {
          drained = resolve;
          out.onWritable(resolve);
        });
        drained = undefined;
        if (!out.alive) return;
      }
    }
    out.end();
  } catch {
    // the producer failed mid-stream: the status is gone already, so the only honest signal left is a cut connection
    out.close();
  }
}
