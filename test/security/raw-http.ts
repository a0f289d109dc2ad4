// Raw HTTP over node:net, for requests fetch refuses to send: malformed request lines and escapes, bytes that are not
// UTF-8, duplicated or missing Host and Content-Length, upgrades with odd headers. Only the status line is read.
import net from 'node:net';

export interface RawAnswer {
  /** the status code, or undefined when the server closed (or went quiet) without answering */
  status: number | undefined;
  /** the response head as text (status line and headers) */
  head: string;
}

/** One request on its own connection. `quietMs` bounds the wait for a server that keeps reading (not an assertion). */
export function rawRequest(port: number, request: Buffer | string, quietMs = 3000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const done = (status: number | undefined, head: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, head });
    };
    const timer = setTimeout(() => done(undefined, ''), quietMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.subarray(0, end).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      done(m ? Number(m[1]) : undefined, head);
    });
    socket.on('error', () => done(undefined, ''));
    socket.on('close', () => {
      const head = received.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      done(m ? Number(m[1]) : undefined, head);
    });
  });
}

/** A request as bytes: `target` and header values may hold any byte (latin1 strings map one char to one byte). */
export function buildRequest(method: string, target: Buffer | string, headers: [string, string][], body?: string): Buffer {
  const head = Buffer.concat([
    Buffer.from(`${method} `, 'latin1'),
    typeof target === 'string' ? Buffer.from(target, 'latin1') : target,
    Buffer.from(` HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1'),
  ]);
  return body === undefined ? head : Buffer.concat([head, Buffer.from(body, 'latin1')]);
}

/** Run `tasks` with at most `width` at once, keeping their order in the results. */
export async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/** A seeded generator (Park-Miller), so every run sends the same inputs. */
export function seeded(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}
