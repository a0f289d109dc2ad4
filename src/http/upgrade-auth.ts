// The checks every WebSocket upgrade passes before anything the client wrote is parsed, in the order the HTTP routes
// apply them: the Host and Origin allow-lists (a WebSocket is exactly what a hostile page can open: no CORS), the
// bearer token, then the scope of the operation (`any`: a surface that checks each message's scope itself). A refusal is answered here, in the API's error shape.
import type { HttpRequest, HttpResponse } from './uws.js';
import type { TokenAuthenticator } from './auth.js';
import type { Principal } from './request-context.js';
import type { HostOriginPolicy } from './host-origin.js';
import { errorBody, statusLine } from './errors.js';
import { scopeRefusal, type Scope } from './scopes.js';

export interface UpgradeAuthDeps {
  hostOrigin: HostOriginPolicy;
  auth: TokenAuthenticator;
}

/**
 * The principal of an upgrade request, or undefined when it was refused (and answered). `queryToken`: also accept
 * `?token=` (the session stream's browser clients; never for new surfaces, where a token in a URL ends up in logs).
 */
export function authenticateUpgrade(res: HttpResponse, req: HttpRequest, deps: UpgradeAuthDeps, scope: Scope | 'any', queryToken: boolean): Principal | undefined {
  let hosts = 0;
  req.forEach((k) => {
    if (k === 'host') hosts++;
  });
  const misplaced = deps.hostOrigin.check(req.getHeader('host'), req.getHeader('origin') || undefined, hosts > 1);
  if (misplaced) {
    res.writeStatus(statusLine(misplaced.status)).writeHeader('content-type', 'application/json').end(errorBody(misplaced.code, misplaced.message));
    return undefined;
  }
  const token = queryToken ? (req.getQuery('token') ?? '') : '';
  const principal = deps.auth.verifyHeader(req.getHeader('authorization')) ?? (token ? deps.auth.verifyToken(token) : undefined);
  if (!principal) {
    res.writeStatus('401 Unauthorized').writeHeader('content-type', 'application/json').end(errorBody('unauthorized', 'missing or invalid bearer token'));
    return undefined;
  }
  const refused = scope === 'any' ? undefined : scopeRefusal(principal.scopes, scope);
  if (refused) {
    res.writeStatus('403 Forbidden').writeHeader('content-type', 'application/json');
    for (const [k, v] of Object.entries(refused.headers)) res.writeHeader(k, v);
    res.end(errorBody(refused.code, refused.message, refused.details));
    return undefined;
  }
  return principal;
}
