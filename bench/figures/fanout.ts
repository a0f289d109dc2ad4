// SSE fan-out: 1 000 subscribers on one session's `GET /sessions/{id}/events` (raw TCP clients in one separate
// process, counting frames), a turn of M chunks (`/chunks M 16`, strict; M = 5 000, quick 1 000: at the gateway's
// slower rate a 20 000-chunk turn would take a minute a round), messages/s delivered across all subscribers from
// the first frame received to the last. Baseline in the same round: a bare uWS server fanning out the same number
// of messages of the same (measured) size to the same clients, one write per batch, with the gateway's batch size
// (its events per group commit in that round, counted in its WAL).
// The kernel's TCP memory and drop counters are reported (lib/tcp-stats.ts); a part of a round that stalls past a
// deadline (a subscriber stuck in retransmission back-off) is run again once, and the row says so.
import type { BenchContext, Figure } from '../lib/figure.js';
import { BENCH_TOKEN, startGateway, type GatewayProcess } from '../lib/gateway.js';
import { profileGateway } from '../lib/profile-gateway.js';
import { row } from '../lib/results.js';
import { startSseClients, type SseResult } from '../lib/sse.js';
import { inRounds, median, sig } from '../lib/stats.js';
import { startUwsBaseline } from '../lib/uws-baseline.js';
import { WalCounter } from '../lib/wal.js';
import { cpuSeconds, openFileLimit, type Tools } from '../lib/proc.js';
import { TcpMemSampler, counterDelta, tcpCounters, tcpMemLimits, type TcpCounters } from '../lib/tcp-stats.js';

// Each subscriber is a socket in the client process and one in the server: a low open-file limit (`ulimit -n`
// 1024 is common in CI) lowers the number rather than failing the run (the row says so).
const SUBSCRIBERS = Math.max(10, Math.min(1000, openFileLimit() - 200));
const chunksFor = (ctx: BenchContext) => (ctx.quick ? 1_000 : 5_000);
const COUNT = '\ndata: ';
const END = '"type":"TurnEnded"';
/** a part of a round taking longer than this is stuck (a normal one takes 1-20 s) */
const DEADLINE_MS = 90_000;

interface Part<T> {
  value: T;
  peakTcpPages: number;
  tcp: TcpCounters;
}

/** Run one part of a round with the kernel's TCP figures around it. */
async function measured<T>(fn: () => Promise<T>): Promise<Part<T>> {
  const c0 = tcpCounters();
  const sampler = new TcpMemSampler();
  try {
    const value = await fn();
    return { value, peakTcpPages: sampler.stop(), tcp: counterDelta(c0, tcpCounters()) };
  } finally {
    sampler.stop();
  }
}

/** Run `fn`; once more if it fails (a stalled subscriber, an incomplete count). */
async function withRetry<T>(ctx: BenchContext, what: string, retries: string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const why = (e as Error).message.split('\n')[0]!.slice(0, 200);
    ctx.log(`fanout: ${what} failed (${why}); running it again`);
    retries.push(`${what}: ${why}`);
    return fn();
  }
}

function subscribe(tools: Tools, url: string, path: string, headers: Record<string, string>) {
  return startSseClients(tools, {
    url,
    mode: 'subscribe',
    n: SUBSCRIBERS,
    method: 'GET',
    path,
    headers,
    countMarker: COUNT,
    endMarkers: [END],
    timeoutMs: DEADLINE_MS,
  });
}

function checkComplete(r: SseResult, frames: number, what: string): void {
  if (r.complete !== SUBSCRIBERS || r.delivered !== SUBSCRIBERS * frames) {
    throw new Error(`${what}: ${r.complete}/${SUBSCRIBERS} subscribers complete, ${r.delivered} of ${SUBSCRIBERS * frames} frames`);
  }
}

interface GatewayPart {
  r: SseResult;
  commits: number;
  cpu: number;
}

/** A gateway, one session, subscribers on its events after its last event, then a turn of `chunks` chunks. */
async function gatewayFanout(ctx: BenchContext, chunks: number, gw?: GatewayProcess): Promise<GatewayPart> {
  const own = gw ? undefined : (await startGateway(ctx.tools, ctx.tmp, { durability: 'strict', maxSessions: 8 })).gateway;
  const g = (gw ?? own)!;
  try {
    const id = await g.createSession();
    const warm = await g.prompt(id, 'hello');
    const subs = subscribe(ctx.tools, g.url, `/api/v1/sessions/${id}/events?after=${warm.position}`, {
      authorization: `Bearer ${BENCH_TOKEN}`,
      accept: 'text/event-stream',
    });
    await subs.ready;
    const wal = new WalCounter(g.dbPath + '-wal').start(10);
    const cpu0 = cpuSeconds(g.pid);
    await g.prompt(id, `/chunks ${chunks} 16`); // returns once TurnEnded is committed: the turn's commits are done
    const c = wal.stop();
    const r = await subs.result;
    checkComplete(r, chunks + 4, 'gateway');
    return { r, commits: c.commits, cpu: cpuSeconds(g.pid) - cpu0 };
  } finally {
    await own?.stop();
  }
}

async function uwsFanout(ctx: BenchContext, frames: number, size: number, batch: number): Promise<{ r: SseResult; cpu: number }> {
  const server = await startUwsBaseline(ctx.tools, 'uws-fanout', { subs: SUBSCRIBERS, messages: frames, size, batch });
  try {
    const r = await subscribe(ctx.tools, server.url, '/sse', {}).result;
    checkComplete(r, frames, 'uWS');
    await server.child.waitLine(/"fanout_per_s"/, 30_000, 'the uWS fan-out result');
    return { r, cpu: server.child.lastJson<{ cpu_s: number }>().cpu_s };
  } finally {
    await server.stop();
  }
}

export const fanout: Figure = {
  id: 'fanout',
  title: 'SSE fan-out, one session to 1 000 subscribers',
  async run(ctx) {
    const chunks = chunksFor(ctx);
    const frames = chunks + 4; // PromptSubmitted, session/prompt out, the chunks, the answer, TurnEnded
    const retries: string[] = [];
    const rounds = await inRounds(ctx.rounds, async (round) => {
      ctx.log(`fanout round ${round}: gateway`);
      const gw = await measured(() => withRetry(ctx, `round ${round} gateway`, retries, () => gatewayFanout(ctx, chunks)));
      const size = Math.round(gw.value.r.bytes / gw.value.r.delivered);
      const batch = Math.max(1, Math.round(frames / Math.max(1, gw.value.commits)));
      ctx.log(`fanout round ${round}: bare uWS (${frames} messages of ${size} B, ${batch} per write)`);
      const base = await measured(() => withRetry(ctx, `round ${round} uWS`, retries, () => uwsFanout(ctx, frames, size, batch)));
      return { gw, base, size, batch };
    });
    const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 3);
    const mb = (pages: number) => sig((pages * 4096) / 1e6, 3);
    const limits = tcpMemLimits();
    const drops = (p: Part<unknown>) => p.tcp.TCPRcvQDrop + p.tcp.RcvPruned;
    return [
      row(
        `SSE fan-out to ${SUBSCRIBERS} subscribers, ${chunks / 1000}k-chunk turn`,
        'msg/s',
        rounds.map((x) => ({ value: x.gw.value.r.per_s, baseline: x.base.value.r.per_s, ratio: x.gw.value.r.per_s / x.base.value.r.per_s })),
        {
          baselineName: 'bare uWS fan-out of the same messages',
          target: { kind: 'ratio_min', limit: 0.9, text: '≥ 0.9' },
          notes: [
            `${frames} messages per subscriber (the turn's events), ~${m((x) => x.size)} bytes each; gateway group commits: ${m((x) => x.gw.value.commits)} ` +
              `(~${m((x) => x.batch)} events each, the baseline's batch)`,
            `first to last frame: gateway ${m((x) => x.gw.value.r.seconds)} s, uWS ${m((x) => x.base.value.r.seconds)} s; per round, gateway ` +
              `${rounds.map((x) => sig(x.gw.value.r.per_s, 3)).join(', ')} msg/s, uWS ${rounds.map((x) => sig(x.base.value.r.per_s, 3)).join(', ')} msg/s`,
            `CPU used: gateway ${m((x) => x.gw.value.cpu)} s (from the prompt to the last frame), uWS server ${m((x) => x.base.value.cpu)} s; the client process ` +
              `(all subscribers, CPU 1) ${m((x) => x.gw.value.r.cpu_s)} s / ${m((x) => x.base.value.r.cpu_s)} s: it can co-limit both (runtime-tech.md §4(d))`,
            `kernel TCP memory, peak: gateway ${m((x) => mb(x.gw.peakTcpPages))} MB, uWS ${m((x) => mb(x.base.peakTcpPages))} MB ` +
              `(tcp_mem pressure threshold ${limits[1] ? mb(limits[1]) : '?'} MB); segments dropped for memory (TCPRcvQDrop + RcvPruned) per round: ` +
              `gateway ${rounds.map((x) => drops(x.gw)).join(', ')}, uWS ${rounds.map((x) => drops(x.base)).join(', ')}`,
            ...(retries.length ? [`run again after a stall: ${retries.join('; ')}`] : []),
            ...(SUBSCRIBERS < 1000 ? [`only ${SUBSCRIBERS} subscribers: the open-file limit is ${openFileLimit()} (raise it with ulimit -n)`] : []),
          ],
        },
      ),
    ];
  },
  async profile(ctx) {
    return profileGateway(ctx, { durability: 'strict', maxSessions: 8 }, async (gw, mark) => {
      mark();
      await gatewayFanout(ctx, chunksFor(ctx), gw).catch(() => undefined);
    });
  },
};
