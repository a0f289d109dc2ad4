// A WebSocket client of the session stream for the tests (the `ws` package): it keeps every message it receives and
// waits for the one a test expects, or for the close.
import WebSocket from 'ws';
import type { TestGateway } from './gateway.js';

export interface WsMessage {
  type: string;
  position?: number;
  data: Record<string, any>;
}

export class Client {
  readonly messages: WsMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (m) => {
      this.messages.push(JSON.parse(m.toString()));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
    const ws = new WebSocket(url, { headers });
    const c = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return c;
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  async waitFor(pred: (m: WsMessage) => boolean, timeoutMs = 10_000): Promise<WsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting`);
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.messages.map((m) => m.type))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
}

/** How an upgrade is answered: 101 when it opened, else the HTTP status, headers and body of the refusal. */
export function tryUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    ws.on('open', () => {
      resolve({ status: 101, headers: {}, body: '' });
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

export function wsUrl(g: TestGateway, path: string): string {
  return g.url.replace('http://', 'ws://') + path;
}
