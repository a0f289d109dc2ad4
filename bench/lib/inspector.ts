// A minimal Chrome DevTools Protocol client for a gateway started with `--inspect=127.0.0.1:0`: the RSS figure
// asks V8 for a full garbage collection before reading VmRSS, and for the JS heap in use, so that garbage left by
// start-up or by the work that created the sessions does not decide the figure.
import WebSocket from 'ws';
import type { Child } from './proc.js';

export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
    });
  }

  static async attach(child: Child): Promise<Inspector> {
    const m = await child.waitStderr(/Debugger listening on (ws:\/\/\S+)/, 30_000);
    const ws = new WebSocket(m[1]!);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Inspector(ws);
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Full GC (twice: weak references and finalizers can free more the second time); the JS heap in use, KiB. */
  async collect(): Promise<{ heapUsedKiB: number; heapTotalKiB: number }> {
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    const h = await this.call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
    return { heapUsedKiB: h.usedSize / 1024, heapTotalKiB: h.totalSize / 1024 };
  }

  close(): void {
    this.ws.close();
  }
}
