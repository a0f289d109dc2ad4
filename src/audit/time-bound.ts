// `since` / `until` of an export: epoch milliseconds or an ISO 8601 date / date-time. A date-time must carry its
// zone (`Z` or `±hh:mm`): an audit query that silently means the server's local time would select the wrong events.
// A bare date is midnight UTC. Dates are checked for real (no 2025-02-30 rolling over into March, as Date.parse does).

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since the epoch, or a message saying what is wrong with `text`. */
export function parseTimeBound(text: string): number | string {
  if (/^\d+$/.test(text)) {
    const ms = Number(text);
    return Number.isSafeInteger(ms) ? ms : 'epoch milliseconds out of range';
  }
  const m = ISO.exec(text);
  if (!m) return 'must be epoch milliseconds or an ISO 8601 date-time (e.g. 2025-11-28T10:00:00Z)';
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (h !== undefined && zone === undefined) return 'an ISO 8601 date-time needs a time zone (Z or ±hh:mm)';
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return 'not a valid date-time';
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) return 'not a valid date (no such day in that month)';
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return 'not a valid time zone offset';
    offsetMinutes = (digits[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Events carry whole milliseconds, so a finer fraction rounds up: `at >= 1000.4` is `at >= 1001` (since) and
  // `at < 1000.4` is `at < 1001` (until). Both bounds therefore take the ceiling.
  const fraction = frac === undefined ? 0 : Math.ceil(Number(`0.${frac}`) * 1000 - 1e-9);
  const ms = utc + fraction - offsetMinutes * 60_000;
  if (ms < 0) return 'must not be before 1970-01-01T00:00:00Z';
  return ms;
}
