// A parallel orchestration of 4 bundled agents (POST /api/v1/orchestrate, a 1-chunk turn each), its p50 wall time
// over the p50 of one client doing the same by hand over REST in the same round: create 4 sessions and prompt each
// once, all at once (the sessions are closed after the timing, outside it). The ratio is the orchestration actor's own
// cost (its events, the session steps, closing each candidate's session before the answer).
import type { Figure } from '../lib/figure.js';
import { promptBody, startGateway, type GatewayProcess } from '../lib/gateway.js';
import { row } from '../lib/results.js';
import { inRounds, median, sig } from '../lib/stats.js';

const CANDIDATES = 4;
const PROMPT = '/chunks 1';

// an orchestration of 4 fresh agents takes ~2 s here: bench-quick keeps it to ~15 s
const sizes = (quick: boolean) => (quick ? { n: 3, warmup: 1 } : { n: 20, warmup: 3 });

async function orchestrateOnce(gw: GatewayProcess): Promise<number> {
  const t0 = performance.now();
  const r = await gw.api<{ status: string; results: { text: string }[] }>('POST', '/api/v1/orchestrate', {
    agents: Array.from({ length: CANDIDATES }, () => 'demo'),
    strategy: 'parallel',
    ...promptBody(PROMPT),
  });
  const ms = performance.now() - t0;
  if (r.status !== 200 || r.body.status !== 'completed') throw new Error(`orchestrate failed: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  return ms;
}

async function byHandOnce(gw: GatewayProcess): Promise<number> {
  const t0 = performance.now();
  const ids = await Promise.all(
    Array.from({ length: CANDIDATES }, async () => {
      const id = await gw.createSession();
      await gw.prompt(id, PROMPT);
      return id;
    }),
  );
  const ms = performance.now() - t0;
  await Promise.all(ids.map((id) => gw.api('DELETE', `/api/v1/sessions/${id}`)));
  return ms;
}

export const orchestrate: Figure = {
  id: 'orchestrate',
  title: 'parallel orchestration of 4 agents vs the same by hand over REST',
  async run(ctx) {
    const s = sizes(ctx.quick);
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`orchestrate round ${r}`);
      const { gateway } = await startGateway(ctx.tools, ctx.tmp, { durability: 'strict' });
      try {
        for (let i = 0; i < s.warmup; i++) {
          await orchestrateOnce(gateway);
          await byHandOnce(gateway);
        }
        const orch: number[] = [];
        const hand: number[] = [];
        // interleaved, so a slow spell of the machine weighs on both sides alike
        for (let i = 0; i < s.n; i++) {
          orch.push(await orchestrateOnce(gateway));
          hand.push(await byHandOnce(gateway));
        }
        return { orch: median(orch), hand: median(hand) };
      } finally {
        await gateway.stop();
      }
    });
    return [
      row(
        `parallel orchestration of ${CANDIDATES} demo agents (${PROMPT}), p50`,
        'ms',
        rounds.map((x) => ({ value: x.orch, baseline: x.hand, ratio: x.orch / x.hand })),
        {
          baselineName: `by hand over REST: create ${CANDIDATES} sessions and prompt each once, all at once (p50)`,
          target: { kind: 'ratio_max', limit: 1.2, text: 'orchestration p50 / by-hand p50 <= 1.2' },
          notes: [`${s.n} of each per round, interleaved, after ${s.warmup} warm-ups; strict durability`, `medians per round: ${rounds.map((x) => `${sig(x.orch, 3)} / ${sig(x.hand, 3)} ms`).join(', ')}`],
        },
      ),
    ];
  },
};
