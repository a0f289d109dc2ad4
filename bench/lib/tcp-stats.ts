// The kernel's view of a run with many sockets: TCP memory in use (peak, against the tcp_mem thresholds) and the
// counters of packets it dropped for lack of memory. 1 000 SSE subscribers with ~200 KB writes put hundreds of MB
// into socket buffers; past tcp_mem's pressure threshold the kernel drops segments (TCPRcvQDrop, pruning) and the
// retransmission back-off can stall a subscriber for seconds, whatever the server does. Reported, not hidden.
import { readFileSync } from 'node:fs';

const COUNTERS = ['TCPRcvQDrop', 'PruneCalled', 'RcvPruned', 'TCPMemoryPressures', 'TCPTimeouts'] as const;
export type TcpCounters = Record<(typeof COUNTERS)[number], number>;

export function tcpCounters(): TcpCounters {
  const out = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as TcpCounters;
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0]!.split(' ');
    const values = lines[1]!.split(' ');
    names.forEach((n, i) => {
      if ((COUNTERS as readonly string[]).includes(n)) out[n as keyof TcpCounters] = Number(values[i]);
    });
  } catch {
    /* not Linux, or no access: zeros */
  }
  return out;
}

export function counterDelta(a: TcpCounters, b: TcpCounters): TcpCounters {
  return Object.fromEntries(COUNTERS.map((c) => [c, b[c] - a[c]])) as TcpCounters;
}

/** Pages of memory TCP sockets use now (/proc/net/sockstat). */
function tcpMemPages(): number {
  try {
    return Number(/^TCP:.* mem (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** tcp_mem: [low, pressure, high] in pages. */
export function tcpMemLimits(): number[] {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_mem', 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

/** Samples TCP memory every 100 ms; `stop()` gives the peak in pages. */
export class TcpMemSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, tcpMemPages());
    }, 100);
  }

  stop(): number {
    clearInterval(this.timer);
    return Math.max(this.peak, tcpMemPages());
  }
}
