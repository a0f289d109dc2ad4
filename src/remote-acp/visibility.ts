// Which gateway sessions a remote ACP client may use: the ones its token created (on any surface), or every one for
// an admin token. Another token's session is answered as if it did not exist.
import type { GatewayServices } from '../http/services.js';

export function visibleTo(gw: GatewayServices, principal: string, scopes: readonly string[], sessionId: string): boolean {
  try {
    gw.sessions.actor(sessionId);
  } catch {
    return false;
  }
  if (scopes.includes('admin')) return true;
  const first = gw.store.readStream(`session:${sessionId}`, 1, 1)[0];
  return first !== undefined && first.meta.principal === principal;
}
