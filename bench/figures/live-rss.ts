// Gateway RSS per live session: 200 sessions (quick: 10) created over REST on the demo agent, each with its agent
// process attached and one finished echo turn, strict. VmRSS of the gateway process alone (the agents are other
// processes: excluded by construction), read after a full GC asked through the inspector (lib/rss.ts), the JS heap
// in use beside it. Per round a fresh gateway: one warm-up session with a turn (every code path loaded), a reading,
// the sessions created in waves, a reading; (after − before) / sessions. Absolute: no baseline.
import type { Figure } from '../lib/figure.js';
import type { GatewayProcess } from '../lib/gateway.js';
import { childPids } from '../lib/proc.js';
import { row } from '../lib/results.js';
import { memory, withInspectedGateway } from '../lib/rss.js';
import { inRounds, median, sig } from '../lib/stats.js';

const WAVE = 10;
const PROMPT = 'hello';

async function createLive(gw: GatewayProcess, n: number): Promise<void> {
  for (let done = 0; done < n; ) {
    const k = Math.min(WAVE, n - done);
    await Promise.all(
      Array.from({ length: k }, async () => {
        const id = await gw.createSession();
        await gw.prompt(id, PROMPT);
      }),
    );
    done += k;
  }
}

export const liveRss: Figure = {
  id: 'live-rss',
  title: 'gateway RSS per live session (agent attached, one finished turn)',
  async run(ctx) {
    const n = ctx.quick ? 10 : 200;
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`live-rss round ${r}: ${n} live sessions`);
      // RSS does not depend on where the processes run: the gateway unpinned, the agents on both CPUs
      return withInspectedGateway(ctx, { durability: 'strict', maxSessions: n + 10, cpu: null, agentsUnpinned: true }, async (gw, inspector) => {
        await createLive(gw, 1);
        const before = await memory(gw, inspector);
        await createLive(gw, n);
        const agents = childPids(gw.pid).length;
        if (agents < n + 1) throw new Error(`${agents} agent processes attached, expected ${n + 1}`);
        return { before, after: await memory(gw, inspector) };
      });
    });
    const per = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 4);
    return [
      row(
        `RSS per live session, ${n} sessions with their agents`,
        'KiB',
        rounds.map((x) => ({ value: (x.after.rssKiB - x.before.rssKiB) / n })),
        {
          // 10 sessions (quick) move RSS by less than its noise (a few MB): no verdict on a quick run
          ...(ctx.quick ? {} : { target: { kind: 'value_max' as const, limit: 200, text: '≤ 200 KiB' } }),
          notes: [
            ...(ctx.quick ? ['quick run: too few sessions for RSS to rise above its noise; the target is for 200 sessions'] : []),
            `gateway VmRSS after a full GC: ${per((x) => x.before.rssKiB)} → ${per((x) => x.after.rssKiB)} KiB; JS heap in use ` +
              `${per((x) => x.before.heapKiB)} → ${per((x) => x.after.heapKiB)} KiB (${per((x) => (x.after.heapKiB - x.before.heapKiB) / n)} KiB per session)`,
            `each session created over REST on the demo agent with one \`${PROMPT}\` turn, its agent process kept attached (processes excluded from the reading)`,
          ],
        },
      ),
    ];
  },
};
