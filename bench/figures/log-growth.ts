// What the log costs on disk for a typical turn, against the agent's own protocol traffic for the same turn. The
// turn: `/chunks 40 24` on the demo agent (a 40-chunk answer, the shape of the boot figure's template turns).
// Gateway side, strict: one session, one warm-up turn, then TURNS turns; before and after, a read-only connection
// to the gateway's database reads the bytes in use ((page_count − freelist_count) × page_size: rows, indexes, the
// session's snapshot; the WAL's committed frames included, as a reader sees them) and the head position. Baseline
// in the same round: the official SDK client driving the demo agent directly (baselines/sdk-agents.js, traffic
// mode) counts the bytes on the agent's stdin and stdout over the same TURNS turns after a warm-up.
// Reported: bytes on disk per turn over bytes of traffic per turn (the ratio), and bytes on disk per recorded event.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BenchContext, Figure } from '../lib/figure.js';
import { agentCommand, startGateway } from '../lib/gateway.js';
import { benchScript } from '../lib/paths.js';
import { SERVER_CPU, runJson } from '../lib/proc.js';
import { row } from '../lib/results.js';
import { inRounds, median, sig } from '../lib/stats.js';

const PROMPT = '/chunks 40 24';
const turnsFor = (ctx: BenchContext) => (ctx.quick ? 5 : 20);

interface LogState {
  bytes: number;
  head: number;
  /** bytes of the JSON data of the AcpMessage events from `since` on (the raw protocol messages as recorded) */
  acpDataBytes: number;
}

function readLog(dbPath: string, since: number): LogState {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const pragma = (name: string) => db.pragma(name, { simple: true }) as number;
    const bytes = (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
    const head = (db.prepare('SELECT coalesce(max(position), 0) AS p FROM events').get() as { p: number }).p;
    const acp = db.prepare("SELECT coalesce(sum(length(CAST(data AS BLOB))), 0) AS b FROM events WHERE position > ? AND type = 'AcpMessage'").get(since) as { b: number };
    return { bytes, head, acpDataBytes: acp.b };
  } finally {
    db.close();
  }
}

export const logGrowth: Figure = {
  id: 'log-growth',
  title: 'log bytes on disk for a typical turn vs the agent protocol traffic of that turn',
  async run(ctx) {
    const turns = turnsFor(ctx);
    const cwd = mkdtempSync(join(ctx.tmp, 'traffic-'));
    const rounds = await inRounds(ctx.rounds, async (r) => {
      ctx.log(`log-growth round ${r}: SDK client → demo agent, counting its traffic`);
      const traffic = await runJson<{ bytes: number; per_turn: number }>(
        ctx.tools,
        process.execPath,
        [benchScript('baselines/sdk-agents.js'), JSON.stringify({ agentCommand: agentCommand(ctx.tools), cwd, mode: 'traffic', agents: 1, prompt: PROMPT, turns })],
        { cpu: SERVER_CPU },
      );
      ctx.log(`log-growth round ${r}: gateway, ${turns} turns`);
      const { gateway } = await startGateway(ctx.tools, ctx.tmp, { durability: 'strict' });
      try {
        const id = await gateway.createSession();
        await gateway.prompt(id, PROMPT);
        const before = readLog(gateway.dbPath, Number.MAX_SAFE_INTEGER);
        for (let i = 0; i < turns; i++) await gateway.prompt(id, PROMPT);
        const after = readLog(gateway.dbPath, before.head);
        const events = after.head - before.head;
        const bytes = after.bytes - before.bytes;
        return { traffic: traffic.per_turn, bytesPerTurn: bytes / turns, eventsPerTurn: events / turns, bytesPerEvent: bytes / events, acpPerTurn: after.acpDataBytes / turns };
      } finally {
        await gateway.stop();
      }
    });
    const m = (f: (x: (typeof rounds)[number]) => number) => sig(median(rounds.map(f)), 4);
    const common = `\`${PROMPT}\` turns (${turns} per round after a warm-up), strict; ${m((x) => x.eventsPerTurn)} events per turn`;
    return [
      row(
        `log bytes on disk per turn (\`${PROMPT}\`)`,
        'B/turn',
        rounds.map((x) => ({ value: x.bytesPerTurn, baseline: x.traffic, ratio: x.bytesPerTurn / x.traffic })),
        {
          baselineName: "the agent's protocol traffic of the turn (stdin + stdout)",
          notes: [
            common,
            `bytes in use in the database ((page_count − freelist_count) × page_size: rows, indexes, the session's snapshot; committed WAL frames included), ` +
              `after minus before the turns; the JSON data of the turn's AcpMessage events alone: ${m((x) => x.acpPerTurn)} B per turn ` +
              `(${m((x) => x.acpPerTurn / x.traffic)} of the traffic)`,
          ],
        },
      ),
      row(`log bytes on disk per recorded event (\`${PROMPT}\`)`, 'B/event', rounds.map((x) => ({ value: x.bytesPerEvent })), { notes: [common] }),
    ];
  },
};
