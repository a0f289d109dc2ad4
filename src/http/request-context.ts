// Everything a handler may need from a uWS request, copied synchronously: uWS's HttpRequest is stack-allocated and
// must not be touched after the first await (runtime-tech.md §3.2 rule 3). The response is owned here too, so that
// nothing writes to it after it ended or was aborted (rule 2) and every late write is corked (rule 4).
import type { HttpRequest, HttpResponse } from './uws.js';
import { HttpError, errorBody, statusLine } from './errors.js';
import type { Scope } from './scopes.js';
import { decodeComponent } from './uri.js';

export interface Principal {
  /** token name from config (`auth.tokens[].name`) or `api-key` for AINTEGRIX_API_KEY; never the token */
  name: string;
  /** what the token may do (`auth.tokens[].scopes`; all of them when the token has none configured) */
  scopes: readonly Scope[];
}

export class RequestContext {
  readonly method: string;
  readonly url: string;
  private readonly rawQuery: string;
  private parsedQuery: URLSearchParams | undefined;
  readonly headers: Record<string, string>;
  readonly params: string[];
  private clientAddress: string | undefined;
  /** approximate size of the request headers (uWS 20.30 itself accepts headers of any size) */
  readonly headerBytes: number;
  readonly requestId: string;
  /** performance.now() when the router took the request (for the request duration histogram) */
  readonly startedAt = performance.now();
  principal: Principal | undefined;
  aborted = false;
  /** true once a final response (or an upgrade) went out, or a stream took the response over */
  done = false;
  /** true once `send` ended the response (the uWS response is then dead) */
  ended = false;
  private abortHandlers: (() => void)[] = [];

  constructor(
    readonly res: HttpResponse,
    req: HttpRequest,
    paramCount: number,
    requestId: string,
  ) {
    this.method = req.getMethod();
    this.url = req.getUrl();
    this.rawQuery = req.getQuery() ?? '';
    const headers: Record<string, string> = {};
    let headerBytes = 0;
    req.forEach((k, v) => {
      headers[k] = v;
      headerBytes += k.length + v.length + 4;
    });
    this.headers = headers;
    this.headerBytes = headerBytes;
    const params: string[] = [];
    // a malformed escape is kept as sent: it names no session or agent, so the route answers its own 404
    for (let i = 0; i < paramCount; i++) {
      const raw = req.getParameter(i) ?? '';
      params.push(decodeComponent(raw) ?? raw);
    }
    this.params = params;
    const incoming = headers['x-request-id'];
    this.requestId = incoming && /^[\w.:-]{1,64}$/.test(incoming) ? incoming : requestId;
  }

  elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /**
   * uWS needs an abort handler on every response that is still open when its request handler returns. The router
   * calls this as the handler returns, unless `send` ended the response already: most requests end synchronously
   * and never register one.
   */
  armAbort(): void {
    if (this.ended || this.aborted) return;
    try {
      this.res.onAborted(() => {
        this.aborted = true;
        this.done = true;
        for (const h of this.abortHandlers.splice(0)) {
          try {
            h();
          } catch {
            /* an abort handler must not take the server down */
          }
        }
      });
    } catch {
      // a handler that took the response over ended it itself: uWS refuses (with an exception) to arm a finished response
      this.ended = true;
    }
  }

  /**
   * The client's address, read from the socket on first use (most requests never need it). Read it before the
   * response ends: afterwards uWS no longer has the socket, and '' is all that can be said.
   */
  get client(): string {
    if (this.clientAddress === undefined) {
      if (!this.open) return '';
      this.clientAddress = Buffer.from(this.res.getRemoteAddressAsText()).toString('latin1');
    }
    return this.clientAddress;
  }

  /** The query parameters (parsed on first use: most requests have none). */
  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(this.rawQuery));
  }

  /** Run `handler` when the client goes away before the response ended. */
  onAbort(handler: () => void): void {
    if (this.aborted) handler();
    else this.abortHandlers.push(handler);
  }

  get open(): boolean {
    return !this.done && !this.aborted;
  }

  /** Send a complete response (corked). Ignored when the client is gone. */
  send(status: number, body: string | Uint8Array | undefined, headers: Record<string, string> = {}): void {
    if (!this.open) return;
    this.done = true;
    this.ended = true;
    this.res.cork(() => {
      if (status !== 200) this.res.writeStatus(statusLine(status)); // uWS answers 200 OK unless told otherwise
      this.res.writeHeader('x-request-id', this.requestId);
      let closeConnection = false;
      for (const k in headers) {
        // uWS writes its own `Connection: close` when asked to close; a body that was not fully read must close.
        if (k === 'connection') closeConnection = headers[k] === 'close';
        else this.res.writeHeader(k, headers[k]!);
      }
      if (body === undefined) this.res.end(undefined, closeConnection);
      else this.res.end(body, closeConnection);
    });
  }

  sendJson(status: number, value: unknown, headers: Record<string, string> = {}): void {
    this.send(status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
  }

  sendError(err: HttpError): void {
    this.send(err.status, errorBody(err.code, err.message, err.details), {
      'content-type': 'application/json',
      ...err.headers,
    });
  }

  /**
   * Collect the request body with a byte cap. Chunks are copied (uWS neuters them when the callback returns) and
   * concatenated once at the end. Over the cap → 413 before reading further.
   */
  readBody(maxBytes: number): Promise<Buffer> {
    const declared = Number(this.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      return Promise.reject(tooLarge(maxBytes));
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      this.onAbort(() => reject(new HttpError(499, 'client_closed', 'client closed the request')));
      this.res.onData((chunk, isLast) => {
        if (failed) return;
        try {
          size += chunk.byteLength;
          if (size > maxBytes) {
            failed = true;
            reject(tooLarge(maxBytes));
            return;
          }
          chunks.push(Buffer.from(chunk.slice(0)));
          if (isLast) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
        } catch (e) {
          // a throw here would be uncaught (a uWS callback): the request fails instead
          failed = true;
          reject(e);
        }
      });
    });
  }

  /** Read and parse a JSON body: 413 over the cap, 400 invalid_json when it does not parse. Empty body = undefined. */
  async readJson(maxBytes: number): Promise<unknown> {
    const body = await this.readBody(maxBytes);
    if (body.length === 0) return undefined;
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(e as Error).message}`);
    }
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes`, { connection: 'close' });
}
