// GET /api/v1/agents at 50 connections (wrk -t1 -c50, or the Node generator without wrk) against a bare uWS
// hello-world server, same tool, same round. The gateway's request path: router, bearer auth, rate limiter,
// JSON of the configured agents.
import type { BenchContext, Figure } from '../lib/figure.js';
import { BENCH_TOKEN, startGateway } from '../lib/gateway.js';
import { measureRps, type RpsResult, type RpsSpec } from '../lib/load.js';
import { profileGateway } from '../lib/profile-gateway.js';
import { cpuSeconds, type Tools } from '../lib/proc.js';
import { row } from '../lib/results.js';
import { inRounds, median, sig } from '../lib/stats.js';
import { startUwsBaseline } from '../lib/uws-baseline.js';

const CONNECTIONS = 50;
const timing = (ctx: BenchContext) => (ctx.quick ? { seconds: 2, warmupSeconds: 1 } : { seconds: 10, warmupSeconds: 2 });

/** Requests/s against the server `pid`, and the share of one CPU the server used meanwhile (1 = saturated). */
async function measured(tools: Tools, pid: number, spec: RpsSpec, what: string): Promise<RpsResult & { cpuShare: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  const r = await measureRps(tools, spec);
  const cpuShare = (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000);
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${what}: ${r.non2xx} non-2xx responses, ${r.errors} socket errors`);
  return { ...r, cpuShare };
}

export const agentsRps: Figure = {
  id: 'agents-rps',
  title: 'GET /api/v1/agents req/s at 50 connections',
  async run(ctx) {
    const t = timing(ctx);
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`agents-rps round ${r}: uWS hello-world`);
      const hello = await startUwsBaseline(ctx.tools, 'uws-hello');
      let base: Awaited<ReturnType<typeof measured>>;
      try {
        base = await measured(ctx.tools, hello.child.pid, { url: `${hello.url}/json`, connections: CONNECTIONS, ...t }, 'uWS hello');
      } finally {
        await hello.stop();
      }
      ctx.log(`agents-rps round ${r}: gateway`);
      const { gateway } = await startGateway(ctx.tools, ctx.tmp, { durability: 'fast' });
      try {
        const gw = await measured(
          ctx.tools,
          gateway.pid,
          { url: `${gateway.url}/api/v1/agents`, headers: { authorization: `Bearer ${BENCH_TOKEN}` }, connections: CONNECTIONS, ...t },
          'gateway',
        );
        return { base, gw };
      } finally {
        await gateway.stop();
      }
    });
    const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 3);
    const generator = rounds[0]!.gw.generator;
    return [
      row(
        'GET /api/v1/agents, 50 connections',
        'req/s',
        rounds.map((x) => ({ value: x.gw.rps, baseline: x.base.rps, ratio: x.gw.rps / x.base.rps })),
        {
          baselineName: 'bare uWS hello-world',
          target: { kind: 'ratio_min', limit: 0.8, text: '≥ 0.8' },
          generator,
          notes: [
            `load generator: ${generator === 'wrk' ? 'wrk -t1 -c50' : 'the Node generator (no wrk), 50 connections'}, ${t.seconds} s after ${t.warmupSeconds} s warm-up, pinned to CPU 1; servers on CPU 0`,
            `latency p50/p99: gateway ${m((x) => x.gw.p50_us)}/${m((x) => x.gw.p99_us)} µs, uWS ${m((x) => x.base.p50_us)}/${m((x) => x.base.p99_us)} µs`,
            `share of its CPU each server used (1 = saturated): gateway ${m((x) => x.gw.cpuShare)}, uWS ${m((x) => x.base.cpuShare)}; ` +
              `CPU per request: gateway ${m((x) => (x.gw.cpuShare / x.gw.rps) * 1e6)} µs, uWS ${m((x) => (x.base.cpuShare / x.base.rps) * 1e6)} µs`,
          ],
        },
      ),
    ];
  },
  async profile(ctx) {
    const t = timing(ctx);
    return profileGateway(ctx, { durability: 'fast' }, async (gw, mark) => {
      mark();
      await measureRps(ctx.tools, { url: `${gw.url}/api/v1/agents`, headers: { authorization: `Bearer ${BENCH_TOKEN}` }, connections: CONNECTIONS, ...t });
    });
  },
};
