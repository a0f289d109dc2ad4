// `aintegrix approvals [list|decide]`: the permission requests agents wait on, and answering them.
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../remote.js';
import { printJson, printTable } from '../output.js';
import { UsageError } from '../exit-codes.js';

const DECISIONS = ['allow_once', 'allow_always', 'reject_once', 'reject_always'] as const;

export function approvalCommands(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const approvals = program.command('approvals').description('pending permission requests, and deciding them');
  const globals = (c: Command) => c.optsWithGlobals<GlobalOptions>();

  approvals
    .command('list', { isDefault: true })
    .description('pending approvals: id, session, agent, the tool call, the options')
    .option('--session <id>', 'only those of this session')
    .action((o: { session?: string }, c: Command) =>
      run(async () => {
        const list = await clientFor(globals(c)).listApprovals(o.session ? { session_id: o.session } : {});
        if (globals(c).json) {
          printJson(list);
          return 0;
        }
        const rows = list.map((a) => {
          const tool = (a.tool_call ?? {}) as { title?: string; kind?: string };
          return { ...a, tool: `${tool.title ?? '-'} (${tool.kind ?? 'other'})`, options: a.options.map((o) => o.kind).join(',') };
        });
        printTable(rows, ['approval_id', 'session_id', 'agent', 'tool', 'options', 'deadline']);
        return 0;
      }),
    );

  approvals
    .command('decide')
    .description(`answer a pending approval: ${DECISIONS.join(', ')}`)
    .argument('<approval>', 'the approval id')
    .argument('<decision>', DECISIONS.join(' | '))
    .option('--reason <text>', 'why (recorded with the decision)')
    .action((id: string, decision: string, o: { reason?: string }, c: Command) =>
      run(async () => {
        if (!(DECISIONS as readonly string[]).includes(decision)) throw new UsageError(`decision: one of ${DECISIONS.join(', ')}`);
        const r = await clientFor(globals(c)).decideApproval(id, { decision: decision as (typeof DECISIONS)[number], ...(o.reason ? { reason: o.reason } : {}) });
        if (globals(c).json) printJson(r);
        else process.stdout.write(`${r.approval_id}: ${r.decision} (option ${r.option_id ?? '-'}) by ${r.decided_by}\n`);
        return 0;
      }),
    );
}
