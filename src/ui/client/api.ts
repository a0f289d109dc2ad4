// Calls to the gateway's API with the bearer token. Errors come back as ApiError with the API's code and message;
// a 401 signs the tab out (the token is wrong or was revoked).
import { signOut, token } from './token.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const t = token.get();
  return t ? { authorization: `Bearer ${t}`, ...extra } : extra;
}

/** fetch with the token; throws ApiError for an answer that is not 2xx. */
export async function request(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  const headers = authHeaders(init.headers);
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const r = await fetch(path, { method, headers, body, signal: init.signal, cache: 'no-store', credentials: 'omit' });
  if (r.ok) return r;
  let code = `http_${r.status}`;
  let message = r.statusText || `HTTP ${r.status}`;
  try {
    const e = (await r.json()) as { error?: { code?: string; message?: string } };
    if (e.error?.code) code = e.error.code;
    if (e.error?.message) message = e.error.message;
  } catch {
    /* not the JSON error shape */
  }
  if (r.status === 401) signOut();
  throw new ApiError(r.status, code, message);
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await request(method, path, { body });
  if (r.status === 204) return undefined as T;
  return (await r.json()) as T;
}

/** Read an NDJSON answer line by line (the audit export), stopping after `limit` lines. */
export async function readNdjson<T>(path: string, limit: number, signal?: AbortSignal): Promise<{ rows: T[]; more: boolean }> {
  const r = await request('GET', path, { signal });
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  const rows: T[] = [];
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += value;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (!line) continue;
      if (rows.length >= limit) {
        await reader.cancel();
        return { rows, more: true };
      }
      rows.push(JSON.parse(line) as T);
    }
  }
  if (rest.trim()) rows.push(JSON.parse(rest) as T);
  return { rows, more: false };
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(e);
}
