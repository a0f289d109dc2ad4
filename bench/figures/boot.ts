// Boot to ready over a log of 10 k sessions and 1 M events (quick: 500 / 50 k): `aintegrix serve` spawned, timed
// to its first `GET /readiness` 200 (the banner with the URL comes after restore and recovery, and readiness is
// asked right after it), median of the rounds. Absolute: no baseline.
//
// The log: a real gateway first writes a template — two sessions on the real demo agent, each attached and with
// two turns of CHUNKS chunks, one closed by its client, the gateway then stopped cleanly (so the agents are
// detached and the process streams ended, as a restart finds them). workers/build-boot-db.ts copies those
// sessions with new ids through the real ActorRuntime (catalogue, group commit, hash chain, folds, snapshots where
// the runtime takes them). 100 events per session: 18 + 2 × CHUNKS with the agent-process stream.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, Figure } from '../lib/figure.js';
import { newestProfile, summariseProfile } from '../lib/cpu-profile.js';
import { startGateway, type GatewayProcess } from '../lib/gateway.js';
import { benchScript } from '../lib/paths.js';
import { SERVER_CPU, runJson } from '../lib/proc.js';
import { row } from '../lib/results.js';
import { inRounds, sig } from '../lib/stats.js';

const CHUNKS = 41;
const SNAPSHOT_EVERY = 200; // the config default, as the template gateway ran with

interface BuildResult {
  sessions: number;
  events: number;
  streams: number;
  snapshots: number;
  template_events: { open: number; closed: number };
  seconds: number;
  file_mb: number;
}

let prepared: { dir: string; build: BuildResult } | undefined;

async function captureTemplate(ctx: BenchContext): Promise<GatewayProcess> {
  const { gateway } = await startGateway(ctx.tools, ctx.tmp, { durability: 'fast' });
  try {
    for (const close of [false, true]) {
      const id = await gateway.createSession();
      for (let t = 0; t < 2; t++) await gateway.prompt(id, `/chunks ${CHUNKS} 24`);
      if (close) {
        const r = await gateway.api('DELETE', `/api/v1/sessions/${id}`);
        if (r.status !== 204) throw new Error(`template: close failed (${r.status})`);
      }
    }
  } finally {
    await gateway.stop();
  }
  return gateway;
}

/** The prepared data folder (built once per run and reused by every round and the profile). */
async function prepare(ctx: BenchContext): Promise<{ dir: string; build: BuildResult }> {
  if (prepared) return prepared;
  const sessions = ctx.quick ? 500 : 10_000;
  ctx.log(`boot: writing the template with a real gateway`);
  const template = await captureTemplate(ctx);
  const dir = mkdtempSync(join(ctx.tmp, 'boot-'));
  mkdirSync(join(dir, 'data'), { recursive: true });
  ctx.log(`boot: building ${sessions} sessions from it`);
  const build = await runJson<BuildResult>(
    ctx.tools,
    process.execPath,
    [
      benchScript('workers/build-boot-db.js'),
      JSON.stringify({
        templateDb: template.dbPath,
        templateDataDir: template.dataDir,
        outDb: join(dir, 'data', 'aintegrix.db'),
        outDataDir: join(dir, 'data'),
        sessions,
        snapshotEvery: SNAPSHOT_EVERY,
      }),
    ],
    { cpu: SERVER_CPU },
  );
  ctx.log(`boot: ${build.sessions} sessions, ${build.events} events, ${build.snapshots} snapshots, ${sig(build.file_mb)} MB in ${sig(build.seconds)} s`);
  prepared = { dir, build };
  return prepared;
}

/** Spawn to the first /readiness 200, ms; checks that every session came back. */
async function bootOnce(ctx: BenchContext, dir: string, expectSessions: number, nodeArgs: string[] = []): Promise<number> {
  const t0 = performance.now();
  const { gateway } = await startGateway(ctx.tools, ctx.tmp, { durability: 'strict', dir, maxSessions: 100_000, nodeArgs });
  try {
    const r = await fetch(`${gateway.url}/readiness`);
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`readiness answered ${r.status}`);
    const list = await gateway.api<unknown[]>('GET', '/api/v1/sessions');
    if (list.body.length !== expectSessions) throw new Error(`${list.body.length} sessions restored, expected ${expectSessions}`);
    return ms;
  } finally {
    await gateway.stop();
  }
}

export const boot: Figure = {
  id: 'boot',
  title: 'boot to ready over 10 k sessions and 1 M events',
  async run(ctx) {
    const { dir, build } = await prepare(ctx);
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`boot round ${r}`);
      return bootOnce(ctx, dir, build.sessions);
    });
    return [
      row(
        `boot to ready, ${build.sessions / 1000}k sessions / ${sig(build.events / 1e6, 2)} M events`,
        's',
        rounds.map((ms) => ({ value: ms / 1000 })),
        {
          // the target is for 10 k sessions / 1 M events: a quick run's smaller log gets no verdict
          ...(ctx.quick ? {} : { target: { kind: 'value_max' as const, limit: 0.5, text: '≤ 0.5 s' } }),
          notes: [
            ...(ctx.quick ? ['quick run: a smaller log than the target is for (10 k sessions / 1 M events); no verdict'] : []),
            `log: ${build.sessions} sessions (one in ten closed), ${build.streams} streams, ${build.events} events, ${build.snapshots} snapshots, ` +
              `${sig(build.file_mb)} MB (built in ${sig(build.seconds)} s from a real gateway's template: ${build.template_events.open} events per open session, ` +
              `${build.template_events.closed} per closed one, agent-process streams included)`,
            `spawn of \`aintegrix serve\` to the first /readiness 200; page cache warm (the file was just written or read); rounds: ${rounds.map((x) => sig(x / 1000)).join(', ')} s`,
          ],
        },
      ),
    ];
  },
  async profile(ctx) {
    const { dir, build } = await prepare(ctx);
    const profDir = mkdtempSync(join(ctx.tmp, 'prof-'));
    const ms = await bootOnce(ctx, dir, build.sessions, ['--cpu-prof', '--cpu-prof-dir', profDir]);
    return summariseProfile(newestProfile(profDir), { untilMs: ms });
  },
};

