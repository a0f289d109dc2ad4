// The wire format of one server-sent event, for every SSE stream the gateway writes (prompt streams, the events
// stream, multi-agent runs).

/**
 * One SSE event: `id` is the log position (what EventSource sends back as Last-Event-ID to resume; undefined for
 * an event outside the log, which then leaves the client's last id as it was), `event` the event name (omitted: a
 * plain `message`), and `json` the data as one line of JSON text (JSON has no raw newlines, so it is always a
 * single `data:` line).
 */
export function sseFrame(id: number | undefined, json: string, event?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}${event === undefined ? '' : `event: ${event}\n`}data: ${json}\n\n`;
}
