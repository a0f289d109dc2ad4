// How one logged event looks to clients (REST pages, SSE, WS, MCP): the one cursor is `position`.
import type { RecordedEvent } from '../store/types.js';

export interface EventView {
  position: number;
  stream: string;
  stream_position: number;
  type: string;
  at: string;
  data: unknown;
  meta: unknown;
}

export function eventView(e: RecordedEvent): EventView {
  return {
    position: e.position,
    stream: e.streamId,
    stream_position: e.streamPosition,
    type: e.type,
    at: new Date(e.at).toISOString(),
    data: e.data,
    meta: e.meta,
  };
}

/**
 * The JSON text of `eventView(e)`, built from the stored JSON texts without parsing them (fan-out paths call this
 * once per event and write the same bytes to every client).
 */
export function eventViewJson(e: RecordedEvent): string {
  return (
    `{"position":${e.position},"stream":${JSON.stringify(e.streamId)},"stream_position":${e.streamPosition},` +
    `"type":${JSON.stringify(e.type)},"at":"${new Date(e.at).toISOString()}","data":${e.dataText},"meta":${e.metaText}}`
  );
}
