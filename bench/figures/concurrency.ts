// Turns/s of 32 sessions on 32 bundled agents prompting at once through the gateway (quick: 8), strict: each
// session's client sends the blocking REST prompt in a loop on its own keep-alive connection for SECONDS, and
// completed turns are counted. Baseline in the same round: one official SDK client (baselines/sdk-agents.js)
// driving 32 agent processes the same way (one session each, a prompt loop per session, all at once). The gateway
// and the SDK client run on the server CPU, the agents and the REST client on the client CPU. Every session has
// had one warm-up turn on both sides (agents started, code paths loaded) before the clock starts.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, Figure } from '../lib/figure.js';
import { BENCH_TOKEN, agentCommand, startGateway, type GatewayProcess } from '../lib/gateway.js';
import { benchScript } from '../lib/paths.js';
import { CLIENT_CPU, SERVER_CPU, cpuSeconds, runJson } from '../lib/proc.js';
import { profileGateway } from '../lib/profile-gateway.js';
import { row } from '../lib/results.js';
import { inRounds, median, sig } from '../lib/stats.js';

const PROMPT = '/chunks 4 24';
const sizes = (quick: boolean) => (quick ? { sessions: 8, seconds: 1.5 } : { sessions: 32, seconds: 5 });

interface Rate {
  turns: number;
  per_s: number;
}

/** Open `n` sessions on the demo agent, one warm-up turn each (their agents start here). */
async function openSessions(gw: GatewayProcess, n: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const id = await gw.createSession();
      await gw.prompt(id, PROMPT);
      return id;
    }),
  );
}

function throughGateway(ctx: BenchContext, gw: GatewayProcess, sessions: string[], seconds: number): Promise<Rate> {
  return runJson<Rate>(
    ctx.tools,
    process.execPath,
    [benchScript('workers/concurrent-prompts.js'), JSON.stringify({ url: gw.url, token: BENCH_TOKEN, sessions, prompt: PROMPT, seconds })],
    { cpu: CLIENT_CPU },
  );
}

export const concurrency: Figure = {
  id: 'concurrency',
  title: '32 sessions on 32 agents prompting at once: turns/s vs one SDK client driving 32 agents',
  async run(ctx) {
    const s = sizes(ctx.quick);
    const cwd = mkdtempSync(join(ctx.tmp, 'concurrency-'));
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`concurrency round ${r}: SDK client → ${s.sessions} demo agents`);
      const sdk = await runJson<Rate>(
        ctx.tools,
        process.execPath,
        [
          benchScript('baselines/sdk-agents.js'),
          JSON.stringify({ agentCommand: agentCommand(ctx.tools), cwd, mode: 'concurrent', agents: s.sessions, prompt: PROMPT, seconds: s.seconds }),
        ],
        { cpu: SERVER_CPU },
      );
      ctx.log(`concurrency round ${r}: gateway, ${s.sessions} sessions`);
      const { gateway } = await startGateway(ctx.tools, ctx.tmp, { durability: 'strict', maxSessions: 2 * s.sessions + 8 });
      try {
        const ids = await openSessions(gateway, s.sessions);
        const cpu0 = cpuSeconds(gateway.pid);
        const gw = await throughGateway(ctx, gateway, ids, s.seconds);
        return { sdk, gw, cpu: cpuSeconds(gateway.pid) - cpu0 };
      } finally {
        await gateway.stop();
      }
    });
    const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 3);
    return [
      row(
        `turns/s, ${s.sessions} sessions on ${s.sessions} agents at once (\`${PROMPT}\`), strict`,
        'turns/s',
        rounds.map((x) => ({ value: x.gw.per_s, baseline: x.sdk.per_s, ratio: x.gw.per_s / x.sdk.per_s })),
        {
          baselineName: `one SDK client driving ${s.sessions} agents`,
          target: { kind: 'ratio_min', limit: 0.7, text: '≥ 0.7 of direct' },
          notes: [
            ...(ctx.quick ? [`quick run: ${s.sessions} sessions for ${s.seconds} s (the target is for 32)`] : []),
            `${s.seconds} s per side; turns in the window: gateway ${m((x) => x.gw.turns)}, SDK client ${m((x) => x.sdk.turns)}; ` +
              `gateway CPU ${m((x) => x.cpu)} s over the window (${m((x) => (x.cpu / x.gw.turns) * 1e6)} µs per turn)`,
          ],
        },
      ),
    ];
  },
  async profile(ctx) {
    const s = sizes(ctx.quick);
    return profileGateway(ctx, { durability: 'strict', maxSessions: 2 * s.sessions + 8 }, async (gw, mark) => {
      const ids = await openSessions(gw, s.sessions);
      mark();
      await throughGateway(ctx, gw, ids, s.seconds);
    });
  },
};
