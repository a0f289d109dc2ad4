// `aintegrix status` (the gateway at a glance) and `aintegrix usage` (tokens and cost).
import type { Command } from 'commander';
import { clientFor, gatewayUrl, type GlobalOptions } from '../remote.js';
import { printFields, printJson, printTable } from '../output.js';
import { EXIT } from '../exit-codes.js';
import type { UsageQuery } from '../../client/index.js';
import { costText } from './sessions.js';

type Run = (action: () => Promise<number>) => Promise<void>;

export function statusCommands(program: Command, run: Run): void {
  const globals = (c: Command) => c.optsWithGlobals<GlobalOptions>();
  program
    .command('status')
    .description('the gateway at a glance: health, readiness, agents, open sessions, pending approvals (exit 1 when not ready)')
    .action((_o: unknown, c: Command) =>
      run(async () => {
        const client = clientFor(globals(c));
        const [health, ready] = await Promise.all([client.health(), client.readiness()]);
        const [agents, sessions, approvals] = await Promise.all([client.agentStatus(), client.listSessions(), client.listApprovals()]);
        const open = sessions.filter((s) => s.status !== 'closed' && s.status !== 'failed');
        const summary = {
          url: gatewayUrl(globals(c)),
          health,
          ready,
          agents,
          sessions: { open: open.length, prompting: open.filter((s) => s.status === 'prompting' || s.status === 'awaiting_permission').length, total: sessions.length },
          pending_approvals: approvals.length,
        };
        if (globals(c).json) printJson(summary);
        else {
          printFields({
            gateway: `${summary.url} (${health ? 'alive' : 'not alive'}, ${ready ? 'ready' : 'not ready'})`,
            sessions: `${summary.sessions.open} open, ${summary.sessions.prompting} prompting, ${summary.sessions.total} in all`,
            approvals: `${approvals.length} pending`,
          });
          process.stdout.write('\n');
          printTable(
            agents.map((a) => ({ ...a, sessions: `${a.active_sessions}/${a.max_sessions}`, last_error: a.last_error?.code ?? null })),
            ['name', 'status', 'sessions', 'running_turns', 'restarts', 'last_error'],
          );
        }
        return ready ? EXIT.ok : EXIT.failed;
      }),
    );

  program
    .command('usage')
    .description('tokens, cost, prompts and turns, filtered and optionally grouped')
    .option('--agent <name>', 'only turns of this agent')
    .option('--session <id>', 'only turns of this session')
    .option('--token-name <name>', 'only prompts sent with this API token (its name)')
    .option('--since <time>', 'from this time (a date 2026-05-01, ISO 8601 or epoch ms)')
    .option('--until <time>', 'before this time')
    .option('--group-by <key>', 'agent, model, session, token or day')
    .action((o: { agent?: string; session?: string; tokenName?: string; since?: string; until?: string; groupBy?: string }, c: Command) =>
      run(async () => {
        const q: UsageQuery = {
          agent: o.agent,
          session: o.session,
          token: o.tokenName,
          since: o.since,
          until: o.until,
          group_by: o.groupBy as UsageQuery['group_by'],
        };
        const r = await clientFor(globals(c)).usage(q);
        if (globals(c).json) {
          printJson(r);
          return 0;
        }
        const row = (key: string | null, f: typeof r.totals) => ({
          key: key ?? '-',
          prompts: f.prompts,
          turns: f.turns,
          input_tokens: f.usage_reported ? f.input_tokens : '-',
          output_tokens: f.usage_reported ? f.output_tokens : '-',
          cost: costText(f.cost).slice(2) || '-',
        });
        const rows = [...r.groups.map((g) => row(g.key, g)), row('total', r.totals)];
        printTable(rows, ['key', 'prompts', 'turns', 'input_tokens', 'output_tokens', 'cost']);
        return 0;
      }),
    );
}
