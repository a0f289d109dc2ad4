// The single way bytes reach the agent's stdout. The SDK connection writes its JSON-RPC messages to
// `messages`, the SDK's ndJsonStream writes its own protocol replies (-32700 for junk) to `writable`, and the
// scripted misbehaviours (a non-JSON line, an update the SDK types forbid) go through `writeLine`. All end in
// one `out.write()` per complete line, and a Node stream keeps the order of write() calls, so lines can never
// interleave. Callers that need a raw line *after* earlier SDK messages must first await those sends (see
// Turn.raw), because the SDK queues its writes asynchronously.
//
// Writes are corked until the current burst of (micro)tasks is over, so a flood of small messages
// (/chunks 100000) leaves in a few large writev calls instead of one syscall per line.
import type { Writable } from 'node:stream';
import type { AnyMessage } from '@agentclientprotocol/sdk/unstable';

export class StdoutChannel {
  /** Encoded bytes (what ndJsonStream writes its own replies to). */
  readonly writable: WritableStream<Uint8Array>;
  /** JSON-RPC messages, one line each (what the SDK connection writes to). */
  readonly messages: WritableStream<AnyMessage>;
  private closed = false;
  private corked = false;

  constructor(private readonly out: Writable) {
    this.writable = new WritableStream<Uint8Array>({ write: (chunk) => this.write(chunk) });
    this.messages = new WritableStream<AnyMessage>({ write: (message) => this.write(`${JSON.stringify(message)}\n`) });
    out.on('close', () => {
      this.closed = true;
    });
  }

  /** Writes bytes; resolves at once unless the stream asks for back-pressure, then on 'drain'. */
  write(chunk: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('stdout is closed'));
    if (!this.corked) {
      this.corked = true;
      this.out.cork();
      process.nextTick(() => this.flush());
    }
    if (this.out.write(chunk)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
    });
  }

  /** Hands everything written so far to the OS now (call before process.exit). */
  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.out.uncork();
  }

  /** Writes one line verbatim (a newline is appended). The line must not contain a newline itself. */
  writeLine(line: string): Promise<void> {
    if (line.includes('\n')) throw new Error('a stdout line must not contain a newline');
    return this.write(`${line}\n`);
  }
}
