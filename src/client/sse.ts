// A fetch Response body read line by line (NDJSON: the audit export), and as server-sent events: frames of `id:`,
// `event:` and `data:` lines (WHATWG rules, enough for what the gateway sends: one data line per frame, comments
// ignored). Read with a reader, not `for await` over the body: not every browser can iterate a ReadableStream.
export interface SseFrame {
  id: string | undefined;
  event: string;
  data: string;
}

/** The body's lines without their line ends (the last one too when it has none); stopping early cancels the body. */
export async function* bodyLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        yield buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
      }
    }
  } finally {
    // also when the caller stops early: the rest is not downloaded
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
  if (buffer !== '') yield buffer;
}

export async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  let frame: { id?: string; event?: string; data: string[] } = { data: [] };
  for await (const line of bodyLines(body)) {
    if (line === '') {
      if (frame.data.length > 0) yield { id: frame.id, event: frame.event ?? 'message', data: frame.data.join('\n') };
      frame = { data: [] };
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') frame.data.push(value);
    else if (field === 'event') frame.event = value;
    else if (field === 'id') frame.id = value;
  }
}
