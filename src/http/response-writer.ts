// Writing a complete response to uWS: one function handed to cork for every response (no closure per response),
// header names and values as bytes, and responses prepared ahead for static reads. RequestContext.end is its caller.
import type { HttpResponse } from './uws.js';
import { statusLine } from './errors.js';

// The header names and values every response writes, as bytes: uWS copies a string argument into a buffer of its own
// (allocated and freed per call), bytes it takes as they are.
const X_REQUEST_ID = bytes('x-request-id');
const CONTENT_TYPE = bytes('content-type');
export const JSON_TYPE = bytes('application/json');

function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/**
 * A complete response known ahead of any request (a static read: the configured agents, the OpenAPI document):
 * status line, headers and body encoded once, written per request with no conversion. The request id is the only
 * header written per request.
 */
export class PreparedResponse {
  readonly statusLine: Uint8Array | undefined;
  readonly headers: readonly Uint8Array[];
  readonly body: Uint8Array;

  constructor(
    readonly status: number,
    body: string | Uint8Array,
    headers: Readonly<Record<string, string>> = {},
  ) {
    if ('connection' in headers) throw new Error('a prepared response keeps its connection open');
    this.statusLine = status === 200 ? undefined : bytes(statusLine(status));
    this.headers = Object.entries(headers).flatMap(([k, v]) => [bytes(k), bytes(v)]);
    this.body = typeof body === 'string' ? bytes(body) : new Uint8Array(body);
  }
}

// What the response being ended says, for writeOut: the one function handed to uWS's cork for every response (no
// closure per response). cork runs it at once, so `out` is filled, read and cleared within one synchronous call.
const out: {
  res: HttpResponse | undefined;
  status: number;
  requestId: string;
  body: string | Uint8Array | undefined;
  headers: Readonly<Record<string, string>> | undefined;
  contentType: Uint8Array | undefined;
  prepared: PreparedResponse | undefined;
} = { res: undefined, status: 200, requestId: '', body: undefined, headers: undefined, contentType: undefined, prepared: undefined };

function writeOut(): void {
  const res = out.res!;
  const prepared = out.prepared;
  if (prepared !== undefined) {
    if (prepared.statusLine !== undefined) res.writeStatus(prepared.statusLine);
    res.writeHeader(X_REQUEST_ID, out.requestId);
    const h = prepared.headers;
    for (let i = 0; i < h.length; i += 2) res.writeHeader(h[i]!, h[i + 1]!);
    res.end(prepared.body);
    return;
  }
  const headers = out.headers;
  if (out.status !== 200) res.writeStatus(statusLine(out.status)); // uWS answers 200 OK unless told otherwise
  res.writeHeader(X_REQUEST_ID, out.requestId);
  if (out.contentType !== undefined && headers?.['content-type'] === undefined) res.writeHeader(CONTENT_TYPE, out.contentType);
  let closeConnection = false;
  if (headers !== undefined) {
    for (const k in headers) {
      // uWS writes its own `Connection: close` when asked to close; a body that was not fully read must close.
      if (k === 'connection') closeConnection = headers[k] === 'close';
      else res.writeHeader(k, headers[k]!);
    }
  }
  res.end(out.body, closeConnection);
}

/** End `res` with this response, corked (the caller checked that the response is still open). */
export function writeResponse(
  res: HttpResponse,
  status: number,
  requestId: string,
  body: string | Uint8Array | undefined,
  headers: Readonly<Record<string, string>> | undefined,
  contentType: Uint8Array | undefined,
  prepared: PreparedResponse | undefined,
): void {
  out.res = res;
  out.status = status;
  out.requestId = requestId;
  out.body = body;
  out.headers = headers;
  out.contentType = contentType;
  out.prepared = prepared;
  try {
    res.cork(writeOut);
  } finally {
    out.res = undefined;
    out.body = undefined;
    out.headers = undefined;
    out.prepared = undefined;
  }
}
