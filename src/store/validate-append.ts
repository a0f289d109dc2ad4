// Argument checks for appends and the other writes. Everything is serialised here, at call time, so that a caller
// mutating its object after the call cannot change what gets stored (and hashed) later in the batch.
import { InvalidArgumentError } from './errors.js';
import type { ExpectedVersion, SubscribeOptions } from './types.js';

/** An event ready for the writer: its stored texts are fixed. */
export interface SerialisedEvent {
  type: string;
  dataText: string;
  metaText: string;
}

const STREAM_ID = /^([A-Za-z][A-Za-z0-9_.-]*):./s;
// C0 controls and DEL have no business in ids; a lone surrogate would not survive the UTF-8 round trip through
// SQLite (it becomes U+FFFD), so the stored text would no longer match what was hashed.
const UNSAFE_ID_CHARS = /[\u0000-\u001f\u007f]|\p{Cs}/u;
const MAX_STREAM_ID_LENGTH = 512;
const MAX_TYPE_LENGTH = 256;

export function checkIdText(value: unknown, what: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(`${what} must be a non-empty string`);
  if (value.length > maxLength) throw new InvalidArgumentError(`${what} is longer than ${maxLength} characters`);
  if (UNSAFE_ID_CHARS.test(value)) throw new InvalidArgumentError(`${what} contains control characters or lone surrogates`);
  return value;
}

/** Checks a stream id (`<type>:<rest>`) and returns its stream type. */
export function checkStreamId(streamId: unknown): string {
  const id = checkIdText(streamId, 'stream id', MAX_STREAM_ID_LENGTH);
  const m = STREAM_ID.exec(id);
  if (!m) throw new InvalidArgumentError(`stream id ${JSON.stringify(id)} must look like "<type>:<id>" (e.g. "session:abc")`);
  return m[1]!;
}

export function checkLimit(limit: unknown, what: string): number {
  if (typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0) return limit;
  throw new InvalidArgumentError(`${what} must be a positive integer (got ${String(limit)})`);
}

export function checkExpectedVersion(expected: unknown): ExpectedVersion {
  if (expected === 'any' || expected === 'exists') return expected;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return expected;
  throw new InvalidArgumentError(`expected version must be a non-negative integer, 'any' or 'exists' (got ${String(expected)})`);
}

export function checkPosition(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new InvalidArgumentError(`${what} must be a non-negative integer (got ${String(value)})`);
}

/** JSON text of `value`; throws InvalidArgumentError if it has none (undefined, a function, a cycle, a BigInt). */
/** The arguments of `subscribe` (both stores): a position, a handler function, a page size and a stream id if given. */
export function checkSubscribeArguments(afterPosition: unknown, handler: unknown, options: SubscribeOptions): void {
  checkPosition(afterPosition, 'afterPosition');
  if (typeof handler !== 'function') throw new InvalidArgumentError('subscribe: handler must be a function');
  if (options.pageSize !== undefined) checkLimit(options.pageSize, 'pageSize');
  if (options.streamId !== undefined) checkStreamId(options.streamId);
}

export function toJsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new InvalidArgumentError(`${what} is not JSON-serialisable: ${(err as Error).message}`);
  }
  if (typeof text !== 'string') throw new InvalidArgumentError(`${what} is not JSON-serialisable (got ${typeof value})`);
  return text;
}

export function serialiseEvents(events: unknown): SerialisedEvent[] {
  if (!Array.isArray(events) || events.length === 0) throw new InvalidArgumentError('events must be a non-empty array');
  const out: SerialisedEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e: unknown = events[i];
    if (typeof e !== 'object' || e === null) throw new InvalidArgumentError(`events[${i}] must be an object`);
    const { type, data, meta, dataText: given } = e as { type?: unknown; data?: unknown; meta?: unknown; dataText?: unknown };
    const checkedType = checkIdText(type, `events[${i}].type`, MAX_TYPE_LENGTH);
    const dataText = typeof given === 'string' && given.length > 0 ? given : toJsonText(data, `events[${i}].data`);
    let metaText = '{}';
    if (meta !== undefined) {
      if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
        throw new InvalidArgumentError(`events[${i}].meta must be an object`);
      }
      metaText = toJsonText(meta, `events[${i}].meta`);
    }
    out[i] = { type: checkedType, dataText, metaText };
  }
  return out;
}
