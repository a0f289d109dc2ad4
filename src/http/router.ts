// Routes on top of uWS's own router: one uWS `any` handler per path pattern dispatches on the method, so a known
// path with a wrong method answers 405 (with `Allow`), and a catch-all answers 404, both in the JSON error shape.
// Every handler runs behind the same guard: request data copied, admission (header size, Host and Origin, the token:
// admission.ts), the route's scope, rate limit, errors mapped, abort handler armed.
import { ZodError } from 'zod';
import type { HttpRequest, HttpResponse, TemplatedApp } from './uws.js';
import { HttpError, errorBody } from './errors.js';
import { rejectionToHttp } from '../errors/rejection.js';
import { RequestContext } from './request-context.js';
import { PreparedResponse } from './response-writer.js';
import type { TokenAuthenticator } from './auth.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Logger } from '../log/logger.js';
import { zodIssueMessage } from './validation.js';
import { scopeRefusal, type Scope } from './scopes.js';
import { guardRequest } from './uws-guard.js';
import { admit, needsToken, type AdmissionDeps } from './admission.js';
import type { RouteDoc } from './route-doc.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a JSON handler returns; `undefined` means the handler answered (or took over the response) itself. */
export interface Reply {
  status: number;
  /** a response encoded ahead (a static read): sent as it is, the fields below are not read */
  prepared?: PreparedResponse;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

/** The reply of a static read: encoded once, the same bytes for every request. */
export function preparedReply(status: number, body: string, headers?: Readonly<Record<string, string>>): Reply {
  return Object.freeze({ status, prepared: new PreparedResponse(status, body, headers) });
}

export type RouteHandler = (ctx: RequestContext) => Reply | undefined | Promise<Reply | undefined>;

export interface Route {
  method: HttpMethod;
  /** uWS pattern, e.g. `/api/v1/sessions/:id/prompt` */
  path: string;
  /** default true: a bearer token is required */
  auth?: boolean;
  /**
   * A route without a token under /api, /mcp or /acp (where every path needs one, admission.ts) must say what
   * authenticates its callers instead; its handler checks that itself (the git webhook: the shared secret).
   */
  authenticatedBy?: 'webhook_secret';
  /**
   * The scope a token needs for this route (scopeFor(operation) in scopes.ts); required when auth is. `any`: every
   * token may reach the route and the handler checks each operation itself (MCP checks per tool).
   */
  scope?: Scope | 'any';
  /**
   * What GET /openapi.json says of the route: its request schemas (the ones the handler parses with), every response
   * and its particular errors (src/http/route-doc.ts). The integration tests check each real answer against it.
   */
  doc?: RouteDoc;
  handler: RouteHandler;
}

export { MAX_HEADER_BYTES } from './admission.js';

export interface RouterDeps extends AdmissionDeps {
  authenticator: TokenAuthenticator;
  rateLimiter?: RateLimiter;
  logger: Logger;
  /** called once per request that reached a route (for metrics), with the seconds from routing to the answer */
  onRequest?: (method: string, route: string, status: number, seconds: number) => void;
}

let requestCounter = 0;
// the start time in the prefix keeps ids unique across restarts (the log outlives the process); the counter is
// decimal, the cheapest number to print (one id per request)
const requestIdPrefix = `${Math.floor(Date.now() / 1000).toString(36)}-`;
export function nextRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return requestIdPrefix + requestCounter;
}

type UwsHandler = (res: HttpResponse, req: HttpRequest) => void;

/** uWS's registration of a handler for one method (its own names: `del` for DELETE). */
const ON_METHOD: Record<HttpMethod, (app: TemplatedApp, pattern: string, handler: UwsHandler) => void> = {
  GET: (app, pattern, handler) => app.get(pattern, handler),
  POST: (app, pattern, handler) => app.post(pattern, handler),
  PUT: (app, pattern, handler) => app.put(pattern, handler),
  PATCH: (app, pattern, handler) => app.patch(pattern, handler),
  DELETE: (app, pattern, handler) => app.del(pattern, handler),
};

export function mountRoutes(app: TemplatedApp, routes: readonly Route[], deps: RouterDeps): void {
  const byPath = new Map<string, Map<string, Route>>();
  for (const r of routes) {
    let m = byPath.get(r.path);
    if (!m) byPath.set(r.path, (m = new Map()));
    if (m.has(r.method)) throw new Error(`route registered twice: ${r.method} ${r.path}`);
    // fail closed: a route that forgot its scope would be open to every token
    if (r.auth !== false && r.scope === undefined) throw new Error(`route without a scope: ${r.method} ${r.path}`);
    if (r.auth === false && needsToken(r.path) && r.authenticatedBy === undefined) {
      throw new Error(`route without a token under a token prefix, and nothing else authenticating it: ${r.method} ${r.path}`);
    }
    m.set(r.method, r);
  }
  for (const [path, methods] of byPath) {
    const paramCount = path.split('/').filter((s) => s.startsWith(':')).length;
    const allow = [...methods.keys()].join(', ');
    // a path any of whose methods needs a token needs one for all: a 405 must not tell an anonymous caller it exists.
    // Under a token prefix only a route that names another authentication (authenticatedBy) goes without one.
    const token = [...methods.values()].some((r) => r.auth !== false || (needsToken(path) && r.authenticatedBy === undefined));
    // Each method gets its own uWS handler (uWS tries them before the path's `any`): the route is known without
    // reading or looking up the method per request, and the method is the route's own string.
    for (const route of methods.values()) {
      const method = route.method.toLowerCase();
      ON_METHOD[route.method](app, path, guardRequest(deps.logger, path, (res, req) => {
        const ctx = new RequestContext(res, req, paramCount, nextRequestId(), method);
        const refused = admit(ctx, deps, token);
        if (refused) finish(ctx, deps, path, refused);
        else runRoute(ctx, route, deps);
        ctx.armAbort(); // still inside the uWS handler: a response the handler did not end may be aborted later
      }));
    }
    // every other method on a known path
    app.any(path, guardRequest(deps.logger, path, (res, req) => {
      const ctx = new RequestContext(res, req, paramCount, nextRequestId());
      const refused = admit(ctx, deps, token);
      finish(ctx, deps, path, refused ?? new HttpError(405, 'method_not_allowed', `${ctx.method.toUpperCase()} is not allowed on ${path}`, { allow }));
    }));
  }
  app.any('/*', guardRequest(deps.logger, '*', (res, req) => {
    const ctx = new RequestContext(res, req, 0, nextRequestId());
    const refused = admit(ctx, deps, needsToken(ctx.url));
    if (refused) {
      finish(ctx, deps, '*', refused);
      return;
    }
    finish(ctx, deps, '*', new HttpError(404, 'not_found', `no route for ${ctx.method.toUpperCase()} ${ctx.url}`));
  }));
}

function runRoute(ctx: RequestContext, route: Route, deps: RouterDeps): void {
  if (route.auth !== false) {
    const principal = ctx.principal ?? deps.authenticator.verifyHeader(ctx.headers['authorization']); // set by admit()
    if (!principal) {
      finish(ctx, deps, route.path, new HttpError(401, 'unauthorized', 'missing or invalid bearer token', { 'www-authenticate': 'Bearer' }));
      return;
    }
    ctx.principal = principal;
    const refused = route.scope === 'any' ? undefined : scopeRefusal(principal.scopes, route.scope!);
    if (refused) {
      finish(ctx, deps, route.path, refused);
      return;
    }
    if (deps.rateLimiter) {
      const retryAfter = deps.rateLimiter.take(principal.name, ctx.startedAt);
      if (retryAfter > 0) {
        finish(ctx, deps, route.path, new HttpError(429, 'rate_limited', 'too many requests', { 'retry-after': String(retryAfter) }));
        return;
      }
    }
  }
  let result: Reply | undefined | Promise<Reply | undefined>;
  try {
    result = route.handler(ctx);
  } catch (e) {
    finish(ctx, deps, route.path, e);
    return;
  }
  if (result instanceof Promise) {
    result
      .then(
        (r) => finish(ctx, deps, route.path, undefined, r),
        (e) => finish(ctx, deps, route.path, e),
      )
      .catch((e: unknown) => deps.logger.error('answering a request failed', { request_id: ctx.requestId, error: e as Error }));
  } else {
    finish(ctx, deps, route.path, undefined, result);
  }
}

function finish(ctx: RequestContext, deps: RouterDeps, route: string, error: unknown, reply?: Reply): void {
  if (error !== undefined) {
    const err = toHttpError(error, deps.logger, ctx);
    deps.onRequest?.(ctx.method, route, err.status, ctx.elapsedSeconds());
    ctx.sendError(err);
    return;
  }
  if (reply === undefined) {
    deps.onRequest?.(ctx.method, route, 200, ctx.elapsedSeconds());
    return; // the handler answered or took over the response
  }
  deps.onRequest?.(ctx.method, route, reply.status, ctx.elapsedSeconds());
  if (reply.prepared !== undefined) ctx.sendPrepared(reply.prepared);
  else if (reply.json !== undefined) ctx.sendJson(reply.status, reply.json, reply.headers);
  else ctx.send(reply.status, reply.body, reply.headers);
}

export function toHttpError(thrown: unknown, logger: Logger, ctx?: RequestContext): HttpError {
  const error = rejectionToHttp(thrown);
  if (error instanceof HttpError) return error;
  if (error instanceof ZodError) {
    return new HttpError(400, 'invalid_request', zodIssueMessage(error));
  }
  logger.error('unhandled error in request handler', {
    request_id: ctx?.requestId,
    client_request_id: ctx?.clientRequestId,
    path: ctx?.url,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  return new HttpError(500, 'internal', 'internal server error');
}

export { errorBody };
