// The ACP stream between the SDK client and an agent's stdio, with a tap on both directions. We split stdout into
// lines ourselves instead of using the SDK's ndJsonStream because (1) the SDK client drops or strips
// `session/update`s it cannot validate (acp-protocol.md §2.2), so the raw line must be recorded before the SDK sees
// it, and (2) ndJsonStream answers a non-JSON line with a -32700 error to the agent; we record and skip such lines.
// The tap may also hold a message back until its record is durable (a call that acts on the world is committed
// before it is acted on), or refuse it: the request is then answered with a JSON-RPC error and never handled.
import type { Readable, Writable } from 'node:stream';
import type { AnyMessage } from '@agentclientprotocol/sdk';

export interface StreamTap {
  /**
   * A message the agent sent, with its exact line. Returning a promise holds the message back from the SDK (and
   * every later one, so the order is kept) until it settles; a rejection with a `CallRefusal` (any other rejection
   * counts as an internal error) answers the request with that JSON-RPC error instead: its handler never runs.
   */
  incoming(message: AnyMessage, line: string): void | Promise<void>;
  /** a message we send, with the line written */
  outgoing(message: AnyMessage, line: string): void;
  /** a stdout line that is not a JSON-RPC message (recorded and skipped) */
  unparsed(line: string, reason: string): void;
}

/** The JSON-RPC error a held request is answered with when the tap refuses it. */
export class CallRefusal extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export interface TappedStream {
  readable: ReadableStream<AnyMessage>;
  writable: WritableStream<AnyMessage>;
  /** end the readable side (the agent is gone): pending SDK requests then fail */
  end(): void;
}

export function createTappedStream(stdout: Readable, stdin: Writable, tap: StreamTap, maxLineBytes: number): TappedStream {
  let controller!: ReadableStreamDefaultController<AnyMessage>;
  let ended = false;
  const readable = new ReadableStream<AnyMessage>({
    start(c) {
      controller = c;
    },
  });
  const end = () => {
    if (ended) return;
    ended = true;
    try {
      controller.close();
    } catch {
      /* already closed or errored */
    }
  };

  let pending = '';
  let skipping = false; // inside an over-long line: drop until the next newline
  stdout.setEncoding('utf8');
  stdout.on('data', (chunk: string) => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (skipping) {
        skipping = false;
        pending = '';
        continue;
      }
      const line = pending.length ? pending + piece : piece;
      pending = '';
      handleLine(line);
    }
    if (start < chunk.length && !skipping) {
      pending += chunk.slice(start);
      if (pending.length > maxLineBytes) {
        tap.unparsed(pending.slice(0, 512), `line longer than ${maxLineBytes} bytes (dropped)`);
        pending = '';
        skipping = true;
      }
    }
  });
  stdout.on('end', () => {
    if (pending.trim().length) handleLine(pending);
    pending = '';
    end();
  });
  stdout.on('close', end);

  function handleLine(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim().length === 0 || ended) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      tap.unparsed(line, 'not JSON');
      return;
    }
    if (!isJsonRpc(message)) {
      tap.unparsed(line, 'not a JSON-RPC message');
      return;
    }
    const hold = tap.incoming(message, line) ?? undefined;
    // session/update is consumed from the tap alone; the SDK would only validate it, and on a schema violation
    // (claude-agent-acp's usage_update with "used": null) print a non-JSON "Error handling notification" to stderr
    if (isSessionUpdate(message)) return;
    if (hold === undefined && held === 0) controller.enqueue(message); // the hot path: nothing waits
    else passInOrder(message, hold);
  }

  // Messages behind a held one wait for it, so the SDK sees them in the order the agent sent them.
  let held = 0;
  let queue: Promise<void> = Promise.resolve();
  function passInOrder(message: AnyMessage, hold: Promise<void> | undefined): void {
    held++;
    hold?.catch(() => undefined); // handled below, in turn; a rejection that comes first must not count as unhandled
    queue = queue
      .then(() => hold)
      .then(
        () => {
          if (!ended) controller.enqueue(message);
        },
        (e: unknown) => refuse(message, e),
      )
      .finally(() => {
        held--;
      });
  }

  function refuse(message: AnyMessage, e: unknown): void {
    const id = (message as { id?: unknown }).id;
    if (ended || id === undefined || typeof (message as { method?: unknown }).method !== 'string') return; // only a request is answered
    const r = e instanceof CallRefusal ? e : new CallRefusal(-32603, 'Internal error');
    send({ jsonrpc: '2.0', id, error: r.data === undefined ? { code: r.code, message: r.message } : { code: r.code, message: r.message, data: r.data } } as AnyMessage);
  }

  stdin.on('error', () => {
    /* EPIPE after the agent died: exit handling reports it */
  });
  function send(message: AnyMessage): void {
    const line = JSON.stringify(message);
    tap.outgoing(message, line);
    if (stdin.writable) stdin.write(line + '\n');
  }
  const writable = new WritableStream<AnyMessage>({ write: send });

  return { readable, writable, end };
}

function isSessionUpdate(m: AnyMessage): boolean {
  return (m as { method?: unknown }).method === 'session/update' && !('id' in m);
}

function isJsonRpc(v: unknown): v is AnyMessage {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.method === 'string' || 'id' in o;
}
