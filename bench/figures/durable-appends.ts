// Durable appends/s through the event store (strict: synchronous=FULL, group commit), driven in-process by a
// worker that keeps many single-event appends of AcpMessage-shaped rows in flight over 100 streams, against raw
// better-sqlite3 inserts of the same rows, 100 per transaction, same schema and pragmas. Both are separate
// processes of the same kind on the same CPU, one after the other in each round. Informative: the store with only
// 100 appends in flight (so its batches are the baseline's 100 rows).
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, Figure } from '../lib/figure.js';
import { newestProfile, summariseProfile } from '../lib/cpu-profile.js';
import { benchScript } from '../lib/paths.js';
import { SERVER_CPU, runJson } from '../lib/proc.js';
import { row } from '../lib/results.js';
import { inRounds, median, sig } from '../lib/stats.js';

interface AppendResult {
  events: number;
  seconds: number;
  per_s: number;
  commits: number;
  per_commit: number;
}

const WINDOW = 1000;
const secondsFor = (ctx: BenchContext) => (ctx.quick ? 1 : 3);

function runWorker(ctx: BenchContext, script: string, spec: Record<string, unknown>, nodeArgs: string[] = []): Promise<AppendResult> {
  const dir = mkdtempSync(join(ctx.tmp, 'appends-'));
  return runJson<AppendResult>(ctx.tools, process.execPath, [...nodeArgs, benchScript(script), JSON.stringify({ dir, ...spec })], { cpu: SERVER_CPU });
}

export const durableAppends: Figure = {
  id: 'durable-appends',
  title: 'durable appends/s (strict, group commit)',
  async run(ctx) {
    const seconds = secondsFor(ctx);
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`durable-appends round ${r}: raw better-sqlite3`);
      const raw = await runWorker(ctx, 'baselines/sqlite-raw.js', { seconds, perTxn: 100 });
      ctx.log(`durable-appends round ${r}: event store`);
      const store = await runWorker(ctx, 'workers/store-append.js', { seconds, window: WINDOW });
      const store100 = await runWorker(ctx, 'workers/store-append.js', { seconds, window: 100 });
      return { raw, store, store100 };
    });
    const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 3);
    return [
      row(
        'durable appends/s, strict',
        'events/s',
        rounds.map((x) => ({ value: x.store.per_s, baseline: x.raw.per_s, ratio: x.store.per_s / x.raw.per_s })),
        {
          baselineName: 'raw better-sqlite3, 100 rows per transaction',
          target: { kind: 'ratio_min', limit: 1.0, text: '≥ 1.0' },
          notes: [
            `${seconds} s per run; the store with ${WINDOW} appends in flight committed ${m((x) => x.store.per_commit)} events per commit ` +
              `(raw: ${m((x) => x.raw.per_commit)} per transaction)`,
            `informative: the store with 100 appends in flight (batches of ~${m((x) => x.store100.per_commit)}): ${m((x) => x.store100.per_s)} events/s, ` +
              `${m((x) => x.store100.per_s / x.raw.per_s)} of raw`,
          ],
        },
      ),
    ];
  },
  async profile(ctx) {
    const dir = mkdtempSync(join(ctx.tmp, 'prof-'));
    await runWorker(ctx, 'workers/store-append.js', { seconds: secondsFor(ctx), window: WINDOW }, ['--cpu-prof', '--cpu-prof-dir', dir]);
    return summariseProfile(newestProfile(dir));
  },
};
