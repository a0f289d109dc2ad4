// What a Host header and an Origin header look like, for `server.allowed_hosts` / `server.allowed_origins` and for the
// check of every request against them (src/http/host-origin.ts). Both are compared as exact, lower-cased strings,
// the way the MCP SDK's own DNS-rebinding check compares them.

/** `name`, `name:port`, `[v6]`, `[v6]:port`: a Host header value (RFC 9110 §7.2), no user info, no path. */
export const HOST_VALUE = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?)(?::\d{1,5})?$/;

/** `http(s)://host[:port]`: an Origin as browsers serialize it (lower case, no path, default port omitted). */
export const ORIGIN_VALUE = /^https?:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::\d{1,5})?$/;

/** The wildcard entry: any Host (or any Origin) is accepted. For a gateway behind a proxy that checks them itself. */
export const ANY = '*';

/** A Host value for comparison: lower case, or undefined when it is not one. */
export function normalizeHost(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  return HOST_VALUE.test(v) ? v : undefined;
}

/** An Origin for comparison: lower case, a trailing slash dropped, the scheme's default port dropped. */
export function normalizeOrigin(value: string): string | undefined {
  let v = value.trim().toLowerCase();
  if (v.endsWith('/')) v = v.slice(0, -1);
  if (!ORIGIN_VALUE.test(v)) return undefined;
  if (v.startsWith('http://') && v.endsWith(':80')) v = v.slice(0, -3);
  else if (v.startsWith('https://') && v.endsWith(':443')) v = v.slice(0, -4);
  return v;
}
