// The filters of an export, shared by `GET /api/v1/audit/export` (query parameters) and `aintegrix audit export`
// (flags of the same names): validated with zod, turned into the store's EventFilter. Unknown names are an error,
// so a typo (`?steam=`) never exports the whole log while looking filtered.
import { z } from 'zod';
import type { EventFilter } from '../store/types.js';
import { parseTimeBound } from './time-bound.js';

export const EXPORT_FILTER_FIELDS = ['stream', 'type', 'since', 'until', 'after'] as const;

const timeBound = z.string().superRefine((text, ctx) => {
  const r = parseTimeBound(text);
  if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
});

export const exportFilterSchema = z
  .object({
    /** exact stream id, e.g. `session:<id>` */
    stream: z.string().min(1).max(512).optional(),
    /** exact event type, e.g. `PromptSubmitted` */
    type: z.string().min(1).max(256).optional(),
    /** at >= since (inclusive) */
    since: timeBound.optional(),
    /** at < until (exclusive) */
    until: timeBound.optional(),
    /** position > after */
    after: z
      .string()
      .regex(/^\d+$/, 'must be a position (a non-negative integer)')
      .refine((s) => Number.isSafeInteger(Number(s)), 'position out of range')
      .optional(),
  })
  .strict();

export type ExportFilterInput = Partial<Record<(typeof EXPORT_FILTER_FIELDS)[number], string>>;

export type ExportFilterResult = { ok: true; filter: EventFilter } | { ok: false; field: string; message: string };

/** Validate raw filter values (strings, as in a query string or on a command line) and build the EventFilter. */
export function parseExportFilter(raw: Record<string, string | undefined>): ExportFilterResult {
  const r = exportFilterSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      return { ok: false, field: issue.keys[0] ?? '?', message: `unknown parameter (known: ${EXPORT_FILTER_FIELDS.join(', ')})` };
    }
    return { ok: false, field: issue.path.map(String).join('.') || '?', message: issue.message };
  }
  const q = r.data;
  const filter: EventFilter = {};
  if (q.stream !== undefined) filter.streamId = q.stream;
  if (q.type !== undefined) filter.type = q.type;
  if (q.since !== undefined) filter.since = parseTimeBound(q.since) as number;
  if (q.until !== undefined) filter.until = parseTimeBound(q.until) as number;
  if (q.after !== undefined) filter.afterPosition = Number(q.after);
  return { ok: true, filter };
}

/** Query parameters as a record; a name given twice is an error rather than "last one wins". */
export function exportFilterFromQuery(query: URLSearchParams): ExportFilterResult {
  // null prototype: a parameter named `__proto__` or `constructor` is just an unknown name
  const raw = Object.create(null) as Record<string, string>;
  for (const [k, v] of query) {
    if (Object.hasOwn(raw, k)) return { ok: false, field: k, message: 'given more than once' };
    raw[k] = v;
  }
  return parseExportFilter(raw);
}
