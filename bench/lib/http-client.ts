// A minimal HTTP/1.1 keep-alive client on a raw TCP socket: one request at a time, the request bytes built once.
// Cheap enough per request that the load generator measures the server rather than itself (node:http's client
// costs several times more per request).
import { connect, type Socket } from 'node:net';

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export function requestBytes(host: string, r: RequestSpec): Buffer {
  const body = r.body ?? '';
  let head = `${r.method} ${r.path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [k, v] of Object.entries(r.headers ?? {})) head += `${k}: ${v}\r\n`;
  if (body.length > 0 || r.method === 'POST') head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return Buffer.from(head + '\r\n' + body);
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');

/** Calls `done(status)` once per complete response; `send()` starts the next request. */
export class KeepAliveConnection {
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private inFlight = false;
  readonly ready: Promise<void>;

  constructor(
    host: string,
    port: number,
    private readonly request: Buffer,
    private readonly done: (status: number) => void,
    private readonly failed: (error: Error) => void,
  ) {
    this.socket = connect(port, host);
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e) => this.failed(e));
    this.socket.on('close', () => {
      if (this.inFlight) this.failed(new Error('connection closed mid-response'));
    });
  }

  send(): void {
    this.inFlight = true;
    this.socket.write(this.request);
  }

  close(): void {
    this.inFlight = false;
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.pending = this.pending.length === 0 ? d : Buffer.concat([this.pending, d]);
    const headerEnd = this.pending.indexOf(HEADER_END);
    if (headerEnd === -1) return;
    const head = this.pending.toString('latin1', 0, headerEnd);
    const status = Number(head.slice(9, 12));
    const bodyStart = headerEnd + 4;
    const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (len) {
      end = bodyStart + Number(len[1]);
      if (this.pending.length < end) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const i = this.pending.indexOf(CHUNKED_END, bodyStart - 2);
      if (i === -1) return;
      end = i + CHUNKED_END.length;
    } else {
      end = bodyStart; // no body (e.g. 204)
    }
    this.pending = this.pending.subarray(end);
    this.inFlight = false;
    this.done(status);
  }
}
