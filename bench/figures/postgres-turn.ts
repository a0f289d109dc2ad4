// Turn p50 on the postgres store beside SQLite's, in the same round: N sequential blocking REST prompts of a 1-chunk
// turn (`/chunks 1`, as rest-latency) to one gateway on the SQLite store (strict), then to one on a PostgreSQL
// server started for the figure with its durable defaults (fsync, synchronous commit; store.kind: postgres, its
// mirror in the gateway's data dir). Reported, no target: a turn's commits each wait for a PostgreSQL COMMIT
// (a round trip and its WAL flush) instead of a local fsync.
import type { BenchContext, Figure } from '../lib/figure.js';
import { BENCH_TOKEN, promptBody, startGateway } from '../lib/gateway.js';
import { measureLatency, type LatencyResult } from '../lib/load.js';
import { row } from '../lib/results.js';
import { inRounds, median, sig } from '../lib/stats.js';
import { createTestDatabase, startPostgres } from '../../test/helpers/postgres.js';

const PROMPT = '/chunks 1';

async function turnLatency(ctx: BenchContext, postgresUrl?: string): Promise<LatencyResult> {
  const n = ctx.quick ? { n: 100, warmup: 20 } : { n: 1000, warmup: 100 };
  const { gateway } = await startGateway(ctx.tools, ctx.tmp, { durability: 'strict', ...(postgresUrl ? { postgresUrl } : {}) });
  try {
    const id = await gateway.createSession();
    await gateway.prompt(id, PROMPT);
    return await measureLatency(
      ctx.tools,
      gateway.url,
      {
        method: 'POST',
        path: `/api/v1/sessions/${id}/prompt`,
        headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(promptBody(PROMPT)),
      },
      n.n,
      n.warmup,
    );
  } finally {
    await gateway.stop();
  }
}

export const postgresTurn: Figure = {
  id: 'postgres-turn',
  title: 'REST blocking prompt p50, postgres store beside SQLite',
  async run(ctx) {
    const server = await startPostgres({ durable: true });
    try {
      const rounds = await inRounds(ctx.rounds, async (r) => {
        ctx.log(`postgres-turn round ${r}: SQLite store`);
        const sqlite = await turnLatency(ctx);
        ctx.log(`postgres-turn round ${r}: postgres store`);
        const postgres = await turnLatency(ctx, await createTestDatabase('bench_turn', server));
        return { sqlite, postgres };
      });
      const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 3);
      return [
        row(
          'REST prompt p50 (`/chunks 1`), postgres store',
          'ms',
          rounds.map((x) => ({ value: x.postgres.p50_us / 1000, baseline: x.sqlite.p50_us / 1000, ratio: x.postgres.p50_us / x.sqlite.p50_us })),
          {
            baselineName: 'the SQLite store (strict), same turns',
            notes: [
              `p99: postgres ${m((x) => x.postgres.p99_us / 1000)} ms, SQLite ${m((x) => x.sqlite.p99_us / 1000)} ms`,
              `${ctx.quick ? 100 : 1000} timed turns after ${ctx.quick ? 20 : 100} warm-up turns per store and round, one connection`,
              'PostgreSQL on this machine, fsync and synchronous_commit on; one node',
            ],
            generator: 'node (sequential)',
          },
        ),
      ];
    } finally {
      await server.stop();
    }
  },
};
