// Durable delivery on a remote ACP client's session stream (the protocol's durable-transport proposal, as far as it
// is implemented here): every session update the gateway sends carries its log position, as the SSE `id` and in
// `_meta["acp/cursor"]`. A client that reopens the stream with `Last-Event-ID: P` first gets every update committed
// after P, read from the log, then the live stream with whatever the replay already covered left out: exactly what
// it missed, once, in order. Messages without a position (responses, permission requests) pass through unchanged.
import type { GatewayServices } from '../http/services.js';
import { cursorOf, notificationText, updatesOf } from './log-updates.js';

const PAGE = 500;
const encoder = new TextEncoder();

/** Is `raw` a log position of this session (or 0, the start)? Anything else is an unknown cursor (409). */
export function checkLastEventId(gw: GatewayServices, sessionId: string, raw: string): boolean {
  if (!/^\d{1,15}$/.test(raw)) return false;
  const p = Number(raw);
  if (p === 0) return true;
  return gw.store.readStreamAfter(`session:${sessionId}`, p - 1, 1)[0]?.position === p;
}

/** The SDK's stream response, with positions as event ids and, after `after`, the replay of what was missed. */
export function durableSessionStream(gw: GatewayServices, response: Response, sessionId: string | undefined, after: number | undefined): Response {
  const source = response.body!.getReader();
  const chunks = frames(gw, source, sessionId, after);
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        // cancel the SDK's stream first: the generator may be waiting on its next message (a suspended generator
        // cannot be returned), and cancelling is what releases the session stream for the client's next request
        await source.cancel().catch(() => undefined);
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, headers: response.headers });
}

async function* frames(
  gw: GatewayServices,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  sessionId: string | undefined,
  after: number | undefined,
): AsyncGenerator<string, void, undefined> {
  /** the last position the replay sent: the live stream's updates up to it are left out */
  let replayed = after ?? 0;
  try {
    if (sessionId !== undefined && after !== undefined) {
      // the replay: the log after P, page by page, as the live stream would have sent it
      for (let from = after; ; ) {
        const page = gw.store.readStreamAfter(`session:${sessionId}`, from, PAGE);
        for (const e of page) {
          for (const n of updatesOf(e, sessionId, false)) yield `id: ${e.position}\ndata: ${notificationText(n)}\n\n`;
          replayed = e.position;
        }
        if (page.length < PAGE) break;
        from = page[page.length - 1]!.position;
      }
    }
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const event = buffered.slice(0, end + 2);
        buffered = buffered.slice(end + 2);
        const data = event.startsWith('data: ') ? event.slice(6, -2) : undefined;
        const cursor = data !== undefined ? cursorOf(safeParse(data)) : undefined;
        if (cursor === undefined) yield event;
        else if (cursor > replayed) yield `id: ${cursor}\n${event}`;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
