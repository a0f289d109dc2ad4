// REST blocking prompt latency: N sequential `POST /sessions/{id}/prompt` of a true 1-chunk turn (`/chunks 1`) on
// the bundled agent, p50 and p99, under strict and fast durability. The floor, measured in the same round:
//   (a) the official SDK client driving the same agent directly with the same prompt (p50),
//   (b) one request to a bare uWS server (p50 of many sequential requests, same client as the gateway's),
//   (c) strict only: the durable commits the gateway makes per turn × the fdatasync p50 of this disk.
// Why fdatasync although this build of SQLite calls fsync at each WAL commit: on this disk the two cost the same.
// Measured with two builds of better-sqlite3 side by side, one compiled with HAVE_FDATASYNC=1 (strace: fdatasync at
// each commit instead of fsync), commits in alternating blocks: 169 µs per fsync against 159 µs per fdatasync,
// commit p50 160 µs against 161 µs; and on a plain file, fsync and fdatasync within ~10-30% of each other whether
// the file grows or is overwritten. A build of SQLite with fdatasync would buy nothing, so the floor keeps
// fdatasync, and the notes show the fsync SQLite calls, on blocks overwritten in place as it writes its WAL between
// checkpoints (it restarts from its start and keeps its size).
// Commits per turn are counted in the gateway's WAL over the whole timed run (lib/wal.ts): every transaction —
// events, snapshots — is one commit frame and, under synchronous=FULL, one WAL sync. Cross-check on a single turn:
// the commit frames of that turn, and the distinct commit times of its events (events of one group commit share
// one `at`; a lower bound, since two commits can fall in the same millisecond).
import { mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure, BenchContext } from '../lib/figure.js';
import { BENCH_TOKEN, agentCommand, promptBody, startGateway, type GatewayProcess } from '../lib/gateway.js';
import { fdatasyncLatency, type FsyncResult } from '../lib/fsync.js';
import { measureLatency, type LatencyResult } from '../lib/load.js';
import { benchScript } from '../lib/paths.js';
import { SERVER_CPU, runJson, sleep } from '../lib/proc.js';
import { profileGateway } from '../lib/profile-gateway.js';
import { row, type FigureRow, type RoundValue } from '../lib/results.js';
import { inRounds, median, sig } from '../lib/stats.js';
import { WalCounter } from '../lib/wal.js';
import { startUwsBaseline } from '../lib/uws-baseline.js';

const PROMPT = '/chunks 1';
const EXPECTED_TEXT = '00000000'; // chunk 0 at the default size of 8

interface SdkLatency {
  p50_us: number;
  p99_us: number;
  chunks: number;
}

interface GatewayRun {
  lat: LatencyResult;
  commitsPerTurn: number;
  walRestarts: number;
  /** size of the WAL file after the timed turns: bounded when checkpoints let the WAL restart */
  walMb: number;
  singleTurnCommits: number;
  singleTurnEventBatches: number;
  eventsPerTurn: number;
  fsync?: FsyncResult;
  fullFsync?: FsyncResult;
}

function sizes(ctx: BenchContext) {
  return ctx.quick
    ? { n: 100, warmup: 20, uwsN: 1000, fsyncN: 200 }
    : { n: 1000, warmup: 100, uwsN: 5000, fsyncN: 1000 };
}

function promptRequest(id: string) {
  return {
    method: 'POST',
    path: `/api/v1/sessions/${id}/prompt`,
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(promptBody(PROMPT)),
  };
}

/** Commit frames and event batches of one more turn, counted around it. */
async function singleTurn(gw: GatewayProcess, id: string, afterPosition: number): Promise<{ commits: number; batches: number; events: number; position: number }> {
  const wal = new WalCounter(gw.dbPath + '-wal').start();
  const r = await gw.prompt(id, PROMPT);
  await sleep(100); // the snapshot the runtime takes when the session goes idle commits just after the reply
  const c = wal.stop();
  const page = await gw.api<{ events: Array<{ at: string; position: number }> }>('GET', `/api/v1/sessions/${id}/events?after=${afterPosition}&limit=1000`);
  let batches = 0;
  let lastAt = '';
  for (const e of page.body.events) {
    if (e.at !== lastAt) batches++;
    lastAt = e.at;
  }
  return { commits: c.commits, batches, events: page.body.events.length, position: r.position };
}

async function gatewayRun(ctx: BenchContext, durability: 'strict' | 'fast'): Promise<GatewayRun> {
  const s = sizes(ctx);
  const { gateway } = await startGateway(ctx.tools, ctx.tmp, { durability });
  try {
    const id = await gateway.createSession();
    const first = await gateway.prompt(id, PROMPT);
    if (first.text !== EXPECTED_TEXT) throw new Error(`unexpected answer to ${PROMPT}: ${JSON.stringify(first.text)}`);
    const fsync = durability === 'strict' ? fdatasyncLatency(gateway.dataDir, s.fsyncN) : undefined;
    const fullFsync = durability === 'strict' ? fdatasyncLatency(gateway.dataDir, s.fsyncN / 2, 4096, 'fsync', 'overwrite') : undefined;
    const wal = new WalCounter(gateway.dbPath + '-wal').start(50);
    const lat = await measureLatency(ctx.tools, gateway.url, promptRequest(id), s.n, s.warmup);
    const c = wal.stop();
    const walMb = statSync(gateway.dbPath + '-wal').size / 1e6;
    // the position of the last TurnEnded: the next turn's events follow it
    const last = await gateway.api<{ last_turn: { position: number } }>('GET', `/api/v1/sessions/${id}`);
    const one = await singleTurn(gateway, id, last.body.last_turn.position);
    return {
      lat,
      commitsPerTurn: c.commits / (s.n + s.warmup),
      walRestarts: c.restarts,
      walMb,
      singleTurnCommits: one.commits,
      singleTurnEventBatches: one.batches,
      eventsPerTurn: one.events,
      fsync,
      fullFsync,
    };
  } finally {
    await gateway.stop();
  }
}

export const restLatency: Figure = {
  id: 'rest-latency',
  title: 'REST blocking prompt, 1-chunk turn',
  async run(ctx) {
    const s = sizes(ctx);
    const agentCwd = mkdtempSync(join(ctx.tmp, 'direct-'));
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`rest-latency round ${r}: uWS hello`);
      const hello = await startUwsBaseline(ctx.tools, 'uws-hello');
      let uws: LatencyResult;
      try {
        uws = await measureLatency(ctx.tools, hello.url, { method: 'GET', path: '/json' }, s.uwsN, 200);
      } finally {
        await hello.stop();
      }
      ctx.log(`rest-latency round ${r}: SDK client → demo agent`);
      const sdk = await runJson<SdkLatency>(
        ctx.tools,
        process.execPath,
        [benchScript('baselines/sdk-direct.js'), JSON.stringify({ agentCommand: agentCommand(ctx.tools), cwd: agentCwd, mode: 'latency', prompt: PROMPT, n: s.n, warmup: s.warmup })],
        { cpu: SERVER_CPU },
      );
      if (sdk.chunks !== s.n + s.warmup) throw new Error(`the direct SDK run saw ${sdk.chunks} chunks for ${s.n + s.warmup} turns`);
      ctx.log(`rest-latency round ${r}: gateway strict`);
      const strict = await gatewayRun(ctx, 'strict');
      ctx.log(`rest-latency round ${r}: gateway fast`);
      const fast = await gatewayRun(ctx, 'fast');
      return { uws, sdk, strict, fast };
    });

    const floor = (x: (typeof rounds)[number], durability: 'strict' | 'fast', q: 'p50_us' | 'p99_us') => {
      const base = x.sdk[q] + x.uws[q];
      if (durability === 'fast') return base;
      return base + x.strict.commitsPerTurn * x.strict.fsync![q];
    };
    const rowsFor = (durability: 'strict' | 'fast', q: 'p50_us' | 'p99_us'): RoundValue[] =>
      rounds.map((x) => {
        const v = x[durability].lat[q] / 1000;
        const b = floor(x, durability, q) / 1000;
        return { value: v, baseline: b, ratio: v / b };
      });
    const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 3);
    const components =
      `floor components (medians): SDK direct p50 ${m((x) => x.sdk.p50_us)} µs (p99 ${m((x) => x.sdk.p99_us)}), ` +
      `bare uWS request p50 ${m((x) => x.uws.p50_us)} µs (p99 ${m((x) => x.uws.p99_us)}), ` +
      `fdatasync p50 ${m((x) => x.strict.fsync!.p50_us)} µs (p99 ${m((x) => x.strict.fsync!.p99_us)}; fsync, which SQLite calls, on blocks overwritten in place as in its WAL, p50 ${m((x) => x.strict.fullFsync!.p50_us)} µs)`;
    const commits = (d: 'strict' | 'fast') =>
      `commits per turn, counted in the WAL over ${s.n + s.warmup} turns: ${m((x) => x[d].commitsPerTurn)}` +
      `${rounds.some((x) => x[d].walRestarts > 0) ? ' (a WAL restart was seen: may miss a few)' : ''}; one turn counted alone: ` +
      `${m((x) => x[d].singleTurnCommits)} commit frames, its ${m((x) => x[d].eventsPerTurn)} events in ≥${m((x) => x[d].singleTurnEventBatches)} distinct commit times; WAL file after the timed turns ${m((x) => x[d].walMb)} MB`;
    // SQLite syncs its WAL with fsync (not fdatasync) at each commit: the same ratio against that call, measured the
    // way the WAL is written, is shown too (informative; the target stays on the floor above, see the header)
    const fsyncFloorRatio = m((x) => x.strict.lat.p50_us / (x.sdk.p50_us + x.uws.p50_us + x.strict.commitsPerTurn * x.strict.fullFsync!.p50_us));
    const rowsOut: FigureRow[] = [];
    for (const d of ['strict', 'fast'] as const) {
      const floorText = d === 'strict' ? 'SDK direct + uWS request + commits × fdatasync' : 'SDK direct + uWS request';
      rowsOut.push(
        row(`REST prompt p50, ${d}`, 'ms', rowsFor(d, 'p50_us'), {
          baselineName: `floor (${floorText})`,
          target: { kind: 'ratio_max', limit: 1.3, text: 'gateway/floor ≤ 1.3' },
          notes: [
            components,
            commits(d),
            ...(d === 'strict' ? [`ratio against a floor with SQLite's own sync (commits × fsync p50 of blocks overwritten in place, instead of fdatasync): ${fsyncFloorRatio}`] : []),
            `${s.n} timed turns after ${s.warmup} warm-up turns per round, one connection`,
          ],
          generator: 'node (sequential)',
        }),
        row(`REST prompt p99, ${d}`, 'ms', rowsFor(d, 'p99_us'), {
          baselineName: 'floor at p99 (sum of the parts\' p99: informative)',
          notes: ['p99 on 2 shared cores is dominated by other tenants (runtime-tech.md §4(a)); no target'],
          generator: 'node (sequential)',
        }),
      );
    }
    return rowsOut;
  },
  async profile(ctx, r) {
    const s = sizes(ctx);
    return profileGateway(ctx, { durability: r.figure.endsWith('strict') ? 'strict' : 'fast' }, async (gw, mark) => {
      const id = await gw.createSession();
      await gw.prompt(id, PROMPT);
      mark();
      await measureLatency(ctx.tools, gw.url, promptRequest(id), s.n, s.warmup);
    });
  },
};
