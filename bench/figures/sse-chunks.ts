// Chunks/s delivered to one SSE client (`POST /sessions/{id}/stream`) in a turn of N chunks (`/chunks N 16`),
// strict durability: every chunk is an AcpMessage event committed (group commit, synchronous=FULL) before it is
// streamed. Rate from the first chunk received to the last. Baseline in the same round: the official SDK client
// reading the same turn from the demo agent directly (it validates every notification). Also, informative: a raw
// reader counting the agent's stdout lines (no SDK).
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, Figure } from '../lib/figure.js';
import { agentCommand, startGateway } from '../lib/gateway.js';
import { benchScript } from '../lib/paths.js';
import { SERVER_CPU, cpuSeconds, runJson } from '../lib/proc.js';
import { profileGateway } from '../lib/profile-gateway.js';
import { row } from '../lib/results.js';
import { streamTurn } from '../lib/sse.js';
import { inRounds, median, sig } from '../lib/stats.js';
import { WalCounter } from '../lib/wal.js';

interface DirectResult {
  chunks: number;
  seconds: number;
  per_s: number;
}

const chunksFor = (ctx: BenchContext) => (ctx.quick ? 10_000 : 100_000);

export const sseChunks: Figure = {
  id: 'sse-chunks',
  title: 'chunks/s to one SSE client, every chunk durable (strict)',
  async run(ctx) {
    const n = chunksFor(ctx);
    const prompt = `/chunks ${n} 16`;
    const cwd = mkdtempSync(join(ctx.tmp, 'direct-'));
    const direct = (script: string) =>
      runJson<DirectResult>(ctx.tools, process.execPath, [benchScript(script), JSON.stringify({ agentCommand: agentCommand(ctx.tools), cwd, mode: 'chunks', prompt })], {
        cpu: SERVER_CPU,
      });
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`sse-chunks round ${r}: SDK client → demo agent`);
      const sdk = await direct('baselines/sdk-direct.js');
      if (sdk.chunks !== n) throw new Error(`the SDK client saw ${sdk.chunks} of ${n} chunks`);
      ctx.log(`sse-chunks round ${r}: raw stdout reader → demo agent`);
      const raw = await direct('baselines/raw-direct.js');
      ctx.log(`sse-chunks round ${r}: gateway`);
      const { gateway } = await startGateway(ctx.tools, ctx.tmp, { durability: 'strict' });
      try {
        const id = await gateway.createSession();
        await streamTurn(ctx.tools, gateway.url, id, '/chunks 1000 16'); // warm-up
        const wal = new WalCounter(gateway.dbPath + '-wal').start(10);
        const cpu0 = cpuSeconds(gateway.pid);
        const gw = await streamTurn(ctx.tools, gateway.url, id, prompt);
        const cpu = cpuSeconds(gateway.pid) - cpu0;
        const commits = wal.stop();
        if (gw.delivered !== n || gw.complete !== 1) throw new Error(`the SSE client got ${gw.delivered} of ${n} chunks (complete: ${gw.complete})`);
        return { sdk, raw, gw, cpu, commits: commits.commits, restarts: commits.restarts };
      } finally {
        await gateway.stop();
      }
    });
    const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 3);
    return [
      row(
        `SSE chunks/s, ${n / 1000}k-chunk turn, strict`,
        'chunks/s',
        rounds.map((x) => ({ value: x.gw.per_s, baseline: x.sdk.per_s, ratio: x.gw.per_s / x.sdk.per_s })),
        {
          baselineName: 'SDK client reading the agent directly',
          target: { kind: 'ratio_min', limit: 0.8, text: '≥ 0.8 of direct' },
          notes: [
            `raw stdout line counter reading the agent directly (informative): ${m((x) => x.raw.per_s)} chunks/s; gateway/raw ${m((x) => x.gw.per_s / x.raw.per_s)}`,
            `gateway: ${m((x) => x.commits)} commits for the turn's ${n + 4} events (~${m((x) => (n + 4) / x.commits)} events per group commit)` +
              `${rounds.some((x) => x.restarts > 0) ? ` (${m((x) => x.restarts)} WAL restart(s) during the turn, polled every 10 ms: may miss a few)` : ''}; ` +
              `whole turn as the client saw it ${m((x) => x.gw.total_ms)} ms; CPU: gateway ${m((x) => x.cpu)} s, SSE client ${m((x) => x.gw.cpu_s)} s`,
          ],
        },
      ),
    ];
  },
  async profile(ctx) {
    const n = chunksFor(ctx);
    return profileGateway(ctx, { durability: 'strict' }, async (gw, mark) => {
      const id = await gw.createSession();
      await streamTurn(ctx.tools, gw.url, id, '/chunks 1000 16');
      mark();
      await streamTurn(ctx.tools, gw.url, id, `/chunks ${n} 16`);
    });
  },
};
