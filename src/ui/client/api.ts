// The console's calls to the gateway go through the package's typed client (src/client: fetch only, no Node module),
// on this page's origin with the tab's token as the bearer header. Its errors are the client's ApiError (the API's
// code and message; status 0 when the gateway cannot be reached); a 401 signs the tab out (the token is wrong or was
// revoked).
import { AintegrixClient, ApiError } from '../../client/index.js';
import { signOut, token } from './token.js';

export { ApiError };

/** fetch as the console wants it: never from the cache, never with cookies (the token is the only credential) */
const consoleFetch: typeof fetch = async (input, init) => {
  const r = await fetch(input, { ...init, cache: 'no-store', credentials: 'omit' });
  if (r.status === 401) signOut();
  return r;
};

/** A client for a token (sign-in checks a token before keeping it). */
export function clientFor(t: string | null): AintegrixClient {
  return new AintegrixClient({ baseUrl: location.origin, ...(t ? { token: t } : {}), fetch: consoleFetch });
}

let current: { token: string | null; client: AintegrixClient } | undefined;

/** The client for the token this tab holds now. */
export function client(): AintegrixClient {
  const t = token.get();
  if (!current || current.token !== t) current = { token: t, client: clientFor(t) };
  return current.client;
}

/** NDJSON lines (the audit export) parsed, stopping after `limit` rows (the rest is not downloaded). */
export async function readRows<T>(lines: AsyncIterable<string>, limit: number): Promise<{ rows: T[]; more: boolean }> {
  const rows: T[] = [];
  for await (const line of lines) {
    if (!line.trim()) continue;
    if (rows.length >= limit) return { rows, more: true };
    rows.push(JSON.parse(line) as T);
  }
  return { rows, more: false };
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.status === 0 ? e.message : `${e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(e);
}
