// A small SSE client on fetch for tests: parses frames (id, event, data), stops on a predicate or when the server
// ends the stream.
export interface SseFrame {
  id?: number;
  event: string;
  data: string;
}

export interface SseReadResult {
  status: number;
  headers: Headers;
  frames: SseFrame[];
  /** true when the server ended the stream (rather than us stopping) */
  ended: boolean;
}

export async function readSse(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; /** keep only ids (memory tests) */ idsOnly?: boolean },
  stop: (f: SseFrame, all: SseFrame[]) => boolean = () => false,
  onFrame?: (f: SseFrame) => void,
): Promise<SseReadResult> {
  const ac = new AbortController();
  const r = await fetch(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body, signal: ac.signal });
  const frames: SseFrame[] = [];
  if (!r.body || !(r.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return { status: r.status, headers: r.headers, frames, ended: true };
  }
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      return { status: r.status, headers: r.headers, frames, ended: true };
    }
    if (chunk.done) return { status: r.status, headers: r.headers, frames, ended: true };
    buf += decoder.decode(chunk.value, { stream: true });
    let sep: number;
    while ((sep = buf.indexOf('\n\n')) !== -1) {
      const block = buf.slice(0, sep);
      buf = buf.slice(sep + 2);
      const f = parseBlock(block);
      if (!f) continue;
      frames.push(init.idsOnly ? { id: f.id, event: f.event, data: '' } : f);
      onFrame?.(f);
      if (stop(f, frames)) {
        if (init.idsOnly) frames[frames.length - 1] = f;
        ac.abort();
        return { status: r.status, headers: r.headers, frames, ended: false };
      }
    }
  }
}

export function parseBlock(block: string): SseFrame | undefined {
  let id: number | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = Number(value);
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && id === undefined) return undefined;
  return { id, event, data: data.join('\n') };
}
