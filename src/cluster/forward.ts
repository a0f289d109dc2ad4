// Forwarding a command to the node that owns its actor: the same method, path, query, body and headers (the
// client's bearer token included: the owner authenticates and authorises the caller itself), and the owner's answer
// streamed back as it comes (a streamed prompt's SSE included), so a client never notices which node it reached.
// A forwarded request carries FORWARDED_HEADER: the owner never forwards it again (no loops while a lease moves).
import type { RequestContext } from '../http/request-context.js';
import { ResponseStream } from '../http/response-stream.js';
import { HttpError } from '../http/errors.js';
import { hasBody } from './command-routes.js';

export const FORWARDED_HEADER = 'x-aintegrix-forwarded-from';

/** Headers that describe one connection, never forwarded either way. */
const HOP_BY_HOP = new Set([
  'host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization',
  'proxy-authenticate', 'content-length', 'expect',
]);
/** Response headers the local response writes itself. */
const OWN_RESPONSE_HEADERS = new Set([...HOP_BY_HOP, 'x-request-id', 'date', 'content-encoding']);

export interface ForwardOptions {
  /** the owner's advertised base URL */
  ownerUrl: string;
  /** this node's id (the owner logs it and does not forward again) */
  fromNode: string;
  /** the request body cap (limits.max_body_bytes): nothing larger is read, here or at the owner */
  maxBodyBytes: number;
}

/** Forward `ctx` to its owner and stream the answer back; resolves when the response ended (or the client left). */
export async function forwardRequest(ctx: RequestContext, o: ForwardOptions): Promise<undefined> {
  const method = ctx.method.toUpperCase();
  const body = hasBody(ctx) ? await ctx.readBody(o.maxBodyBytes) : undefined;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
  headers[FORWARDED_HEADER] = o.fromNode;
  const query = ctx.query.toString();
  const target = `${o.ownerUrl}${ctx.url}${query === '' ? '' : `?${query}`}`;
  const abort = new AbortController();
  ctx.onAbort(() => abort.abort());
  let response: Response;
  try {
    response = await fetch(target, { method, headers, body: body?.length ? body : undefined, signal: abort.signal, redirect: 'manual' });
  } catch (error) {
    if (abort.signal.aborted) return undefined;
    throw new HttpError(503, 'owner_unreachable', `the node that runs this actor (${o.ownerUrl}) cannot be reached: retry shortly (its lease moves to another node when it is down): ${(error as Error).message}`);
  }
  const out: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    if (!OWN_RESPONSE_HEADERS.has(k)) out[k] = v;
  });
  const stream = new ResponseStream(ctx, response.status, out);
  if (response.body === null) {
    stream.end();
    return undefined;
  }
  const reader = response.body.getReader();
  stream.onAbort(() => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!stream.alive) return undefined;
      // the owner streams as fast as it likes: a slow client holds the owner's stream back, never our memory
      if (!stream.write(value)) {
        await new Promise<void>((resume) => {
          stream.onWritable(resume);
          stream.onAbort(resume);
        });
      }
    }
    stream.end();
  } catch {
    // the owner went away mid-answer: cut the connection (a clean end would look complete); log-backed clients resume
    stream.close();
  }
  return undefined;
}
