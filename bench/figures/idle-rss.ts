// Gateway RSS per idle session (VmRSS of the gateway process alone: agent processes are separate processes and
// excluded by construction). 1 000 sessions (quick: 40) are created over REST on the demo agent, each with one
// echo turn; a demo agent process is ~40 MB, so each wave's agents are stopped after their turn (SIGTERM to those
// children of the gateway; with auto_restart the session stays open and idle, its agent re-attached lazily on the
// next prompt, exactly as after a gateway restart).
// Reported value: restored idle sessions — the gateway restarted on that log (sessions come back from the log,
// without agents) vs the same gateway on an empty log, both measured after ready; per round, (restored − empty) /
// sessions. Informative second row: the live gateway that created them, after minus before / sessions (it also
// holds each session's live-side objects). Every reading is taken after a full GC asked through the inspector
// (`--inspect=127.0.0.1:0`), so garbage does not decide it; the JS heap in use is reported beside the RSS.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, Figure } from '../lib/figure.js';
import type { GatewayProcess, GatewaySpec } from '../lib/gateway.js';
import { memory, withInspectedGateway as withGateway } from '../lib/rss.js';
import { childPids, isAlive, sleep } from '../lib/proc.js';
import { row } from '../lib/results.js';
import { inRounds, median, sig } from '../lib/stats.js';

const WAVE = 10;

/** Stop the agent processes the gateway started (its children), and wait until they are gone. */
async function stopAgents(gw: GatewayProcess): Promise<void> {
  const pids = childPids(gw.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  for (let i = 0; i < 100 && pids.some(isAlive); i++) await sleep(50);
}

async function createIdle(gw: GatewayProcess, n: number, log: (m: string) => void): Promise<void> {
  for (let done = 0; done < n; ) {
    const k = Math.min(WAVE, n - done);
    await Promise.all(
      Array.from({ length: k }, async () => {
        const id = await gw.createSession();
        await gw.prompt(id, 'hello');
      }),
    );
    await stopAgents(gw);
    done += k;
    if (done % 200 === 0) log(`idle-rss: ${done}/${n} sessions`);
  }
}

export const idleRss: Figure = {
  id: 'idle-rss',
  title: 'gateway RSS per idle session',
  async run(ctx: BenchContext) {
    const n = ctx.quick ? 40 : 1000;
    // RSS does not depend on where the processes run: leave the gateway unpinned and let agents start on both CPUs
    const spec: GatewaySpec = { durability: 'strict', maxSessions: n + 100, autoRestart: true, cpu: null, agentsUnpinned: true };
    const dir = mkdtempSync(join(ctx.tmp, 'rss-'));
    ctx.log(`idle-rss: creating ${n} idle sessions`);
    const live = await withGateway(ctx, { ...spec, dir }, async (gw, inspector) => {
      await createIdle(gw, 1, () => undefined); // warm-up: every code path loaded once
      const before = await memory(gw, inspector);
      await createIdle(gw, n, ctx.log);
      return { before, after: await memory(gw, inspector) };
    });
    const sessions = n + 1;
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`idle-rss round ${r}: restored and empty gateways`);
      const restored = await withGateway(ctx, { ...spec, dir }, async (gw, inspector) => {
        const list = await gw.api<Array<{ status: string }>>('GET', '/api/v1/sessions');
        const idle = list.body.filter((x) => x.status === 'idle').length;
        if (idle !== sessions) throw new Error(`${idle} idle sessions restored, expected ${sessions}`);
        return memory(gw, inspector);
      });
      const empty = await withGateway(ctx, spec, (gw, inspector) => memory(gw, inspector));
      return { restored, empty };
    });
    const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 4);
    return [
      row(
        `RSS per idle session, ${sessions} sessions restored`,
        'KiB',
        rounds.map((x) => ({ value: (x.restored.rssKiB - x.empty.rssKiB) / sessions })),
        {
          // 40 sessions (quick) move RSS by less than its run-to-run noise (a few MB): no verdict on a quick run
          ...(ctx.quick ? {} : { target: { kind: 'value_max' as const, limit: 10, text: '≤ 10 KiB' } }),
          notes: [
            ...(ctx.quick ? ['quick run: too few sessions for RSS to rise above its noise (a few MB); the value is not meaningful, the target is for the full run'] : []),
            `gateway VmRSS after a full GC: ${m((x) => x.restored.rssKiB)} KiB with ${sessions} restored idle sessions, ${m((x) => x.empty.rssKiB)} KiB on an empty log; ` +
              `JS heap in use ${m((x) => x.restored.heapKiB)} vs ${m((x) => x.empty.heapKiB)} KiB (${m((x) => (x.restored.heapKiB - x.empty.heapKiB) / sessions)} KiB per session)`,
            'sessions restored from the log after a restart (their agents re-attach lazily on the next prompt); agent processes excluded',
          ],
        },
      ),
      row(`RSS per idle session, ${n} created live (informative)`, 'KiB', [{ value: (live.after.rssKiB - live.before.rssKiB) / n }], {
        notes: [
          `the gateway that created them, after a full GC: VmRSS ${sig(live.before.rssKiB, 5)} → ${sig(live.after.rssKiB, 5)} KiB, JS heap ` +
            `${sig(live.before.heapKiB, 5)} → ${sig(live.after.heapKiB, 5)} KiB (${sig((live.after.heapKiB - live.before.heapKiB) / n)} KiB per session); ` +
            'each session made over REST with one echo turn, its agent then stopped; one measurement',
        ],
      }),
    ];
  },
};
