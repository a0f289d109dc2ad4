// RecordedEvent as handed out by the store: the stored texts, with `data`/`meta` parsed on first access only.
// Fan-out paths (SSE, WS) forward `dataText` without ever paying for a parse.
import type { EventMeta, RecordedEvent } from './types.js';

/** Column order of every event SELECT (statements run in raw mode and return arrays in this order). */
export const EVENT_COLUMNS = 'position, stream_id, stream_position, type, data, meta, at, prev_hash, hash';

/** One `events` row in EVENT_COLUMNS order. */
export type EventRow = [
  position: number,
  streamId: string,
  streamPosition: number,
  type: string,
  dataText: string,
  metaText: string,
  at: number,
  prevHash: string,
  hash: string,
];

const UNPARSED: unique symbol = Symbol('unparsed');

/**
 * Shared by every listener of a commit: treat it, and what `data`/`meta` return, as immutable.
 */
export class StoredEvent implements RecordedEvent {
  #data: unknown = UNPARSED;
  #meta: EventMeta | typeof UNPARSED = UNPARSED;

  constructor(
    readonly position: number,
    readonly streamId: string,
    readonly streamPosition: number,
    readonly type: string,
    readonly at: number,
    readonly dataText: string,
    readonly metaText: string,
    readonly prevHash: string,
    readonly hash: string,
  ) {}

  get data(): unknown {
    if (this.#data === UNPARSED) this.#data = JSON.parse(this.dataText);
    return this.#data;
  }

  get meta(): EventMeta {
    if (this.#meta === UNPARSED) this.#meta = JSON.parse(this.metaText) as EventMeta;
    return this.#meta;
  }

  /** Plain-object form (parses data/meta), so JSON.stringify(event) shows the event rather than its fields. */
  toJSON(): Record<string, unknown> {
    return {
      position: this.position,
      streamId: this.streamId,
      streamPosition: this.streamPosition,
      type: this.type,
      at: this.at,
      data: this.data,
      meta: this.meta,
      prevHash: this.prevHash,
      hash: this.hash,
    };
  }
}

export function eventFromRow(r: EventRow): StoredEvent {
  return new StoredEvent(r[0], r[1], r[2], r[3], r[6], r[4], r[5], r[7], r[8]);
}

export function eventsFromRows(rows: readonly EventRow[]): StoredEvent[] {
  const out = new Array<StoredEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = eventFromRow(rows[i]!);
  return out;
}
