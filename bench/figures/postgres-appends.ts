// Durable appends/s through the postgres store (store.kind: postgres) beside the SQLite store's, in the same round:
// the same worker (workers/store-append.js: 1000 single-event AcpMessage appends in flight over 100 streams, each
// with its expected version), once on SQLite (strict) and once on a PostgreSQL server started for the figure from
// Debian's binaries with its durable defaults (fsync, synchronous commit; one node, its mirror in the temp folder).
// Reported, no target: one node's writer takes the cluster-wide lock, so this is also the cluster's append ceiling.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, startPostgres } from '../../test/helpers/postgres.js';
import type { BenchContext, Figure } from '../lib/figure.js';
import { benchScript } from '../lib/paths.js';
import { SERVER_CPU, runJson } from '../lib/proc.js';
import { row } from '../lib/results.js';
import { inRounds, median, sig } from '../lib/stats.js';

interface AppendResult {
  events: number;
  per_s: number;
  per_commit: number;
}

const WINDOW = 1000;

function runWorker(ctx: BenchContext, spec: Record<string, unknown>): Promise<AppendResult> {
  const dir = mkdtempSync(join(ctx.tmp, 'pg-appends-'));
  return runJson<AppendResult>(ctx.tools, process.execPath, [benchScript('workers/store-append.js'), JSON.stringify({ dir, window: WINDOW, ...spec })], { cpu: SERVER_CPU });
}

export const postgresAppends: Figure = {
  id: 'postgres-appends',
  title: 'durable appends/s, postgres store beside SQLite',
  async run(ctx) {
    const seconds = ctx.quick ? 1 : 3;
    const server = await startPostgres({ durable: true });
    try {
      const rounds = await inRounds(ctx.rounds, async (r) => {
        ctx.log(`postgres-appends round ${r}: SQLite store`);
        const sqlite = await runWorker(ctx, { seconds });
        ctx.log(`postgres-appends round ${r}: postgres store`);
        const postgres = await runWorker(ctx, { seconds, postgresUrl: await createTestDatabase('bench', server) });
        return { sqlite, postgres };
      });
      const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 3);
      return [
        row(
          'durable appends/s, postgres store',
          'events/s',
          rounds.map((x) => ({ value: x.postgres.per_s, baseline: x.sqlite.per_s, ratio: x.postgres.per_s / x.sqlite.per_s })),
          {
            baselineName: 'the SQLite store (strict), same worker',
            notes: [
              `${seconds} s per run, ${WINDOW} appends in flight; events per commit: postgres ${m((x) => x.postgres.per_commit)}, SQLite ${m((x) => x.sqlite.per_commit)}`,
              'PostgreSQL on this machine, fsync and synchronous_commit on; one node',
            ],
          },
        ),
      ];
    } finally {
      await server.stop();
    }
  },
};
