// One line of an audit export (NDJSON): the event as every API shows it (`eventView`), plus `prev_hash` and `hash`,
// so that an auditor can re-verify an export without the database:
//
//   {"position":7,"stream":"session:s_1","stream_position":3,"type":"PromptSubmitted","at":"2025-11-28T10:00:00.123Z",
//    "data":{...},"meta":{"principal":"alice","request_id":"...","client":"..."},"prev_hash":"<64 hex>","hash":"<64 hex>"}
//
// Re-verifying a line (the rule is src/store/hash.ts): dataText = JSON.stringify(line.data), metaText =
// JSON.stringify(line.meta) (the gateway stores exactly JSON.stringify output, so this reproduces the stored
// text), then hash = sha256hex(prev_hash + JSON.stringify([position, stream, stream_position, type,
// Date.parse(at), dataText, metaText])), and each line's prev_hash is the previous line's hash (GENESIS = 64 × "0").
//
// A row whose stored data or meta is not JSON at all (only a damaged or tampered file has one) is still exported,
// so an audit never stops at the damage: that field then holds the stored text as a JSON string and the line gets
// `"invalid_json": ["data"]` (or `["meta"]`, or both); for such a field the stored text is the string itself.
import type { RecordedEvent } from '../store/types.js';
import { eventView, type EventView } from '../streams/event-view.js';

export interface ExportLine extends EventView {
  prev_hash: string;
  hash: string;
  /** present only for a damaged row: the fields whose stored text is not JSON (they hold that text as a string) */
  invalid_json?: ('data' | 'meta')[];
}

/** The JSON text of one export line, without the trailing newline (JSON.stringify never writes a raw newline). */
export function exportLine(e: RecordedEvent): string {
  let line: ExportLine;
  try {
    line = { ...eventView(e), prev_hash: e.prevHash, hash: e.hash };
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    line = damagedLine(e);
  }
  return JSON.stringify(line);
}

function damagedLine(e: RecordedEvent): ExportLine {
  const invalid: ('data' | 'meta')[] = [];
  const field = (name: 'data' | 'meta', text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      invalid.push(name);
      return text;
    }
  };
  const data = field('data', e.dataText);
  const meta = field('meta', e.metaText);
  return {
    position: e.position,
    stream: e.streamId,
    stream_position: e.streamPosition,
    type: e.type,
    at: new Date(e.at).toISOString(),
    data,
    meta,
    prev_hash: e.prevHash,
    hash: e.hash,
    invalid_json: invalid,
  };
}
