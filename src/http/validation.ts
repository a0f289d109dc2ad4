// Request validation at the boundary: zod schemas parse bodies and queries; the first issue becomes a 400
// `invalid_request` whose message names the field.
import type { ZodError, ZodObject, ZodType, z } from 'zod';
import { HttpError } from './errors.js';

export function zodIssueMessage(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const path = issue.path.length ? issue.path.map(String).join('.') : '(body)';
  return `${path}: ${issue.message}`;
}

/** Parse `value` with `schema` or throw a 400 `invalid_request` naming the offending field. */
export function parseWith<T>(schema: ZodType<T>, value: unknown, what = 'body'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new HttpError(400, 'invalid_request', `${what}: ${zodIssueMessage(r.error)}`);
}

/** Query parameters as a plain object (last value wins), for schema parsing. */
export function queryObject(q: URLSearchParams): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of q) o[k] = v;
  return o;
}

/**
 * A query string parsed with a strict object schema: a parameter given twice, an unknown one (the message lists the
 * known ones) or a bad value is a 400 `invalid_request` naming it.
 */
export function parseQuery<S extends ZodObject>(schema: S, query: URLSearchParams): z.output<S> {
  const raw = Object.create(null) as Record<string, string>;
  for (const [k, v] of query) {
    if (Object.hasOwn(raw, k)) throw new HttpError(400, 'invalid_request', `query: ${k}: given more than once`);
    raw[k] = v;
  }
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(schema.shape).join(', ');
    throw new HttpError(400, 'invalid_request', `query: ${issue.keys[0]}: unknown parameter (known: ${known})`);
  }
  throw new HttpError(400, 'invalid_request', `query: ${issue.path.join('.')}: ${issue.message}`);
}
