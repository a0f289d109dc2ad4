// Commands go to the owner. Every route that changes a leased actor (POST/DELETE/PUT/PATCH of a session,
// orchestration, pipeline or review under its id) is wrapped: when this node holds the actor's lease the route runs
// here as on a single node; when a live node holds it the request is forwarded there (forward.ts); when nobody
// holds it any more (its node died and no sweep took it yet) this node adopts it (takes the lease, restores the
// actor) and runs the route. Reads, lists, events and streams are not wrapped: every node serves them from its
// mirror of the log. Only a clustered gateway wraps its routes: a single node pays nothing.
import type { Reply, Route, RouteHandler } from '../http/router.js';
import type { RequestContext } from '../http/request-context.js';
import { HttpError } from '../http/errors.js';
import type { LeaseOwner } from './lease-manager.js';
import { FORWARDED_HEADER, forwardRequest } from './forward.js';

export interface CommandOwnership {
  readonly nodeId: string;
  holds(key: string): boolean;
  ownerOf(key: string): Promise<LeaseOwner | undefined>;
  /** take an ownerless or expired key here and restore its actor; false when another node got it first */
  adopt(key: string): Promise<boolean>;
}

/** The collections whose `/:id` routes act on a leased actor, and the actor's stream type. */
const LEASED_COLLECTIONS: Record<string, string> = {
  '/api/v1/sessions/:id': 'session',
  '/api/v1/orchestrations/:id': 'orchestration',
  '/api/v1/pipelines/:id': 'pipeline',
  '/api/v1/reviews/:id': 'review',
};

const COMMAND_METHODS = new Set(['POST', 'DELETE', 'PUT', 'PATCH']);

/** The lease key a command route acts on (from its path's first parameter), or undefined. */
export function commandLeaseKey(route: Pick<Route, 'method' | 'path'>, params: readonly string[]): string | undefined {
  if (!COMMAND_METHODS.has(route.method)) return undefined;
  for (const [prefix, kind] of Object.entries(LEASED_COLLECTIONS)) {
    if (route.path === prefix || route.path.startsWith(`${prefix}/`)) {
      const id = params[0];
      return id === undefined || id === '' ? undefined : `${kind}:${decodeURIComponent(id)}`;
    }
  }
  return undefined;
}

export interface ForwardCommandsOptions {
  ownership: CommandOwnership;
  maxBodyBytes: number;
  /** extra keys for routes whose actor is not in the path (an approval's session): undefined = served here */
  keyOf?: (route: Route, ctx: RequestContext) => string | undefined;
}

export function forwardCommands(routes: readonly Route[], o: ForwardCommandsOptions): Route[] {
  return routes.map((route) => {
    const isCommand = commandLeaseKey(route, [':id']) !== undefined || (o.keyOf !== undefined && COMMAND_METHODS.has(route.method));
    if (!isCommand) return route;
    const inner = route.handler;
    const handler: RouteHandler = (ctx) => {
      const key = commandLeaseKey(route, ctx.params) ?? o.keyOf?.(route, ctx);
      if (key === undefined || o.ownership.holds(key)) return inner(ctx);
      // uWS gives the body only to a reader registered now, before the first await: read it for whoever serves
      if (hasBody(ctx)) ctx.readBody(o.maxBodyBytes).catch(() => undefined);
      return elsewhere(ctx, key, inner, o);
    };
    return { ...route, handler };
  });
}

/** The actor is not run here: forward to its live owner, or adopt it when its owner is gone. */
async function elsewhere(ctx: RequestContext, key: string, inner: RouteHandler, o: ForwardCommandsOptions): Promise<Reply | undefined> {
  const owner = await o.ownership.ownerOf(key);
  if (owner === undefined) return inner(ctx); // no such actor anywhere: the route answers 404 as usual
  if (owner.nodeId !== o.ownership.nodeId && !owner.expired && ctx.headers[FORWARDED_HEADER] === undefined) {
    if (owner.url === undefined) throw new HttpError(503, 'owner_unreachable', `the node that runs ${key} has no address yet: retry shortly`);
    return forwardRequest(ctx, { ownerUrl: owner.url, fromNode: o.ownership.nodeId, maxBodyBytes: o.maxBodyBytes });
  }
  // the owner is gone (or this node is named but lost the actor): take it here, then serve
  if (await o.ownership.adopt(key)) return inner(ctx);
  throw new HttpError(503, 'owner_moved', `${key} is moving to another node: retry shortly`, { 'retry-after': '1' });
}

/** Does the request carry a body (uWS calls no data handler for one that does not)? */
export function hasBody(ctx: RequestContext): boolean {
  const length = ctx.headers['content-length'];
  return (length !== undefined && length !== '0') || ctx.headers['transfer-encoding'] !== undefined;
}
