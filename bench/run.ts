// `make bench` / `make bench-quick`: measures the gateway against its baselines in the same run and writes
// bench/results.json. Every figure is the median of its rounds (3, or 1 with --quick); every comparison is a
// ratio computed inside a round, then the median of those ratios. A full run profiles (node --cpu-prof) the
// gateway side of every figure that misses its target and puts the summary in the row.
// usage: node dist/bench/run.js [--quick] [--rounds N] [--only id,id] [--no-profile | --profile] [--no-wrk]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, Figure } from './lib/figure.js';
import { detectTools } from './lib/proc.js';
import { projectRoot } from './lib/paths.js';
import { table, writeResults, type FigureRow } from './lib/results.js';
import { profileText } from './lib/cpu-profile.js';
import { restLatency } from './figures/rest-latency.js';
import { sseChunks } from './figures/sse-chunks.js';
import { agentsRps } from './figures/agents-rps.js';
import { durableAppends } from './figures/durable-appends.js';
import { boot } from './figures/boot.js';
import { fanout } from './figures/fanout.js';
import { idleRss } from './figures/idle-rss.js';
import { orchestrate } from './figures/orchestrate.js';
import { concurrency } from './figures/concurrency.js';
import { liveRss } from './figures/live-rss.js';
import { logGrowth } from './figures/log-growth.js';

const FIGURES: Figure[] = [restLatency, sseChunks, agentsRps, durableAppends, boot, fanout, idleRss, orchestrate, concurrency, liveRss, logGrowth];
FIGURES.push((await import('./figures/postgres-appends.js')).postgresAppends); // the postgres store beside SQLite's (starts its own server)
FIGURES.push((await import('./figures/postgres-turn.js')).postgresTurn); // a turn on the postgres store beside SQLite's
FIGURES.push((await import('./figures/cluster-failover.js')).clusterFailover); // three nodes: an owner killed, its session answered elsewhere

function parseArgs(argv: string[]) {
  const o = { quick: false, rounds: 0, only: [] as string[], profile: undefined as boolean | undefined, wrk: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--only') o.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--profile') o.profile = true;
    else if (a === '--no-profile') o.profile = false;
    else if (a === '--no-wrk') o.wrk = false;
    else throw new Error(`unknown argument ${a} (use --quick, --rounds N, --only id,id, --profile, --no-profile, --no-wrk)`);
  }
  return o;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const tools = detectTools();
  if (!args.wrk) tools.wrk = null; // the Node load generator even where wrk is installed
  const tmp = mkdtempSync(join(tmpdir(), 'aix-bench-'));
  const started = performance.now();
  const log = (m: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${m}\n`);
  const ctx: BenchContext = { quick: args.quick, rounds: args.rounds || (args.quick ? 1 : 3), tools, tmp, log };
  const profile = args.profile ?? !args.quick;
  log(
    `${args.quick ? 'quick' : 'full'} run, ${ctx.rounds} round(s); load generator for throughput: ${tools.wrk ? `wrk (${tools.wrk})` : 'node (wrk not installed)'}; ` +
      `pinning: ${tools.taskset && tools.cpus >= 2 ? 'taskset, servers on CPU 0, clients on CPU 1' : 'none'} (${tools.cpus} CPUs)`,
  );
  const rows: FigureRow[] = [];
  const failures: string[] = [];
  try {
    for (const f of FIGURES) {
      if (args.only.length && !args.only.includes(f.id)) continue;
      log(`${f.id}: ${f.title}`);
      try {
        const loadBefore = loadavg()[0]!;
        const out = await f.run(ctx);
        // other tenants of the machine show up here: read a figure with a high load average with care
        for (const r of out) r.notes.push(`load average (1 min) at the start and end of this figure: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
        if (profile && f.profile && out.some((r) => r.met === false)) {
          log(`${f.id}: missed its target; profiling the gateway side`);
          for (const r of out) {
            if (r.met !== false) continue;
            try {
              r.profile = await f.profile(ctx, r);
              r.notes.push(`profile: ${profileText(r.profile)}`);
            } catch (e) {
              log(`${f.id}: profiling failed: ${(e as Error).message}`);
            }
          }
        }
        rows.push(...out);
        for (const r of out) log(`${r.figure}: ${r.value} ${r.unit}${r.ratio !== null ? `, ratio ${r.ratio}` : ''}${r.met === null ? '' : r.met ? ' (target met)' : ' (target MISSED)'}`);
      } catch (e) {
        failures.push(`${f.id}: ${(e as Error).stack ?? String(e)}`);
        log(`${f.id} FAILED: ${(e as Error).message}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const path = join(projectRoot(), 'bench', 'results.json');
  writeResults(path, rows);
  process.stdout.write(`\n${table(rows)}\n\nwritten: ${path} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  if (failures.length) {
    process.stderr.write(`\n${failures.length} figure(s) failed:\n${failures.join('\n')}\n`);
    process.exit(1);
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
