// The wire format of one server-sent event, for every SSE stream of the log (prompt streams, the events stream).

/**
 * One SSE event: `id` is the log position (what EventSource sends back as Last-Event-ID to resume), `event` the
 * event name (omitted: a plain `message`), and `json` the data as one line of JSON text (JSON has no raw newlines,
 * so it is always a single `data:` line).
 */
export function sseFrame(id: number, json: string, event?: string): string {
  return event === undefined ? `id: ${id}\ndata: ${json}\n\n` : `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`;
}
