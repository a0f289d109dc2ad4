// A TCP proxy in front of the gateway (or PostgreSQL), so a test can cut connections the way a network does.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** destroy every open connection (both sides) */
  dropAll(): void;
  /** cut the next connection after this many bytes went from the server to the client (once) */
  cutAfterBytes(n: number): void;
  /** a network outage: drop every open connection and refuse new ones until `release` */
  hold(): void;
  release(): void;
  /** from now on, what the server sends on the open connections is lost on the way (requests still go through) */
  loseResponses(): void;
  close(): Promise<void>;
}

/** `targetPort` may be a function: the proxy can listen before its target does (a config that must name its port). */
export function startTcpProxy(targetPort: number | (() => number)): Promise<TcpProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let cutAt: number | undefined;
  let held = false;
  const deaf = new WeakSet<[net.Socket, net.Socket]>();
  const dropAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  const server = net.createServer((client) => {
    if (held) {
      client.destroy();
      return;
    }
    const upstream = net.connect(typeof targetPort === 'number' ? targetPort : targetPort(), '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const limit = cutAt;
    cutAt = undefined;
    let forwarded = 0;
    client.pipe(upstream);
    upstream.on('data', (b: Buffer) => {
      if (deaf.has(pair)) return;
      if (limit !== undefined && forwarded + b.length >= limit) {
        client.write(b.subarray(0, Math.max(0, limit - forwarded)));
        end();
        return;
      }
      forwarded += b.length;
      client.write(b);
    });
    function end() {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    }
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        dropAll,
        cutAfterBytes(n) {
          cutAt = n;
        },
        hold() {
          held = true;
          dropAll();
        },
        release() {
          held = false;
        },
        loseResponses() {
          for (const pair of pairs) deaf.add(pair);
        },
        close() {
          dropAll();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}
