// Lazy export reads. The log is read in keyset pages (`position > last ... LIMIT n`), never through an open
// cursor: better-sqlite3 refuses every write on a connection while one of its iterators is open, so an export
// consumed across ticks would make the writer's commits fail. Memory stays at one page.
//
// Time filters need no index: `since`/`until` become a position range by binary search (position-search.ts).
// The SQL still filters on `at`, so the result is exact even on a log that broke the `at` invariant.
// With a streamId filter the keyset is the stream position, so each page is a range on UNIQUE(stream_id,
// stream_position) instead of a walk over the stream from its first event.
import type Database from 'better-sqlite3';
import { InvalidArgumentError } from './errors.js';
import { firstPositionWhereAt, firstStreamPositionAfter } from './position-search.js';
import { EVENT_COLUMNS, type EventRow, eventsFromRows } from './recorded-event.js';
import type { Statements } from './statements.js';
import type { EventFilter, RecordedEvent } from './types.js';

const PAGE_SIZE = 1000;

type PageStatement = Database.Statement<unknown[], EventRow>;

/**
 * Prepared page queries, one per combination of filters used. Parameters, in order: [streamId, fromStreamPosition]
 * (streamId variant only), afterPosition, upToPosition, [type], [since], [until], limit.
 */
export class PageStatementCache {
  private readonly cache = new Map<string, PageStatement>();
  constructor(private readonly db: Database.Database) {}

  get(f: EventFilter): PageStatement {
    const key = `${f.streamId !== undefined ? 's' : ''}${f.type !== undefined ? 't' : ''}${f.since !== undefined ? 'a' : ''}${f.until !== undefined ? 'u' : ''}`;
    let stmt = this.cache.get(key);
    if (!stmt) {
      const where: string[] = [];
      if (f.streamId !== undefined) where.push('stream_id = ?', 'stream_position >= ?');
      where.push('position > ?', 'position <= ?');
      if (f.type !== undefined) where.push('type = ?');
      if (f.since !== undefined) where.push('at >= ?');
      if (f.until !== undefined) where.push('at < ?');
      const order = f.streamId !== undefined ? 'stream_position' : 'position';
      stmt = this.db.prepare<unknown[], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`,
      ).raw(true);
      this.cache.set(key, stmt);
    }
    return stmt;
  }
}

function checkFilter(f: EventFilter): void {
  for (const k of ['afterPosition', 'since', 'until'] as const) {
    const v = f[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) {
      throw new InvalidArgumentError(`iterate: ${k} must be a non-negative integer`);
    }
  }
  for (const k of ['streamId', 'type'] as const) {
    const v = f[k];
    if (v !== undefined && typeof v !== 'string') throw new InvalidArgumentError(`iterate: ${k} must be a string`);
  }
}

/** Bounds are fixed now (the head as of the call); rows are read as the iterator is consumed. */
export function iterateEvents(
  st: Statements,
  pages: PageStatementCache,
  head: number,
  filter: EventFilter = {},
): IterableIterator<RecordedEvent> {
  checkFilter(filter);
  let lower = filter.afterPosition ?? 0;
  let upper = head;
  const { since, until, streamId } = filter;
  if (since !== undefined) {
    const first = firstPositionWhereAt(st, head, (at) => at >= since);
    if (first !== undefined) lower = Math.max(lower, first - 1);
  }
  if (until !== undefined) {
    const firstNotBefore = firstPositionWhereAt(st, head, (at) => at >= until);
    if (firstNotBefore !== undefined) upper = Math.min(upper, firstNotBefore - 1);
  }
  const rest: unknown[] = [];
  if (filter.type !== undefined) rest.push(filter.type);
  if (since !== undefined) rest.push(since);
  if (until !== undefined) rest.push(until);
  const stream = streamId === undefined ? undefined : { streamId, from: firstStreamPositionAfter(st, streamId, lower) };
  return readPages(pages.get(filter), lower, upper, stream, rest);
}

function* readPages(
  stmt: PageStatement,
  lower: number,
  upper: number,
  stream: { streamId: string; from: number } | undefined,
  rest: unknown[],
): Generator<RecordedEvent, void, undefined> {
  let after = lower;
  let fromStreamPosition = stream?.from ?? 0;
  while (after < upper) {
    const rows = stream
      ? stmt.all(stream.streamId, fromStreamPosition, after, upper, ...rest, PAGE_SIZE)
      : stmt.all(after, upper, ...rest, PAGE_SIZE);
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!;
    after = last[0];
    fromStreamPosition = last[2] + 1;
    yield* eventsFromRows(rows);
    if (rows.length < PAGE_SIZE) return;
  }
}
