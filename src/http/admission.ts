// What every HTTP request goes through before routing, in this order: the header size cap (431), the Host and Origin
// allow-lists (400/403), and the token for any path under /api, /mcp or /acp (401). Checking the token before the
// route is looked up means that, without one, a route that exists and one that does not look the same: routes cannot
// be enumerated anonymously. The route's scope and the rate limit come after, per route (router.ts).
import { HttpError } from './errors.js';
import type { RequestContext } from './request-context.js';
import type { TokenAuthenticator } from './auth.js';
import type { HostOriginPolicy } from './host-origin.js';

/** Requests with more header bytes than this are refused with 431 before anything else runs. */
export const MAX_HEADER_BYTES = 16 * 1024;

export interface AdmissionDeps {
  authenticator: TokenAuthenticator;
  /** absent: no Host/Origin check (unit tests of the router alone) */
  hostOrigin?: HostOriginPolicy;
}

/** Every path under these prefixes needs a token (the contract), whatever route answers it, or none. */
const TOKEN_PREFIXES = ['/api', '/mcp', '/acp'];

export function needsToken(path: string): boolean {
  const p = path.toLowerCase();
  return TOKEN_PREFIXES.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));
}

/**
 * Undefined when the request may be routed, else the error to answer. With `token` true, a valid bearer token is
 * required and its principal is set on the context.
 */
export function admit(ctx: RequestContext, deps: AdmissionDeps, token: boolean): HttpError | undefined {
  if (ctx.headerBytes > MAX_HEADER_BYTES) {
    return new HttpError(431, 'headers_too_large', `request headers exceed ${MAX_HEADER_BYTES} bytes`, { connection: 'close' });
  }
  const refused = deps.hostOrigin?.check(ctx.headers['host'], ctx.headers['origin'], ctx.duplicateHost);
  if (refused) return refused;
  if (!token) return undefined;
  const principal = deps.authenticator.verifyHeader(ctx.headers['authorization']);
  if (!principal) return new HttpError(401, 'unauthorized', 'missing or invalid bearer token', { 'www-authenticate': 'Bearer' });
  ctx.principal = principal;
  return undefined;
}
