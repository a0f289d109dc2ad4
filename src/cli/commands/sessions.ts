// `aintegrix sessions [list|new|show|close]` and `aintegrix agents`.
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../remote.js';
import { Progress, printFields, printJson, printTable } from '../output.js';
import type { CreateSessionInput } from '../../client/index.js';

type Run = (action: () => Promise<number>) => Promise<void>;

export function sessionCommands(program: Command, run: Run): void {
  const sessions = program.command('sessions').description('list, create, show and close sessions of a running gateway');
  const globals = (c: Command) => c.optsWithGlobals<GlobalOptions>();

  sessions
    .command('list', { isDefault: true })
    .description('every session: id, agent, status, turns, created')
    .option('--open', 'only sessions that are not closed or failed')
    .action((o: { open?: boolean }, c: Command) =>
      run(async () => {
        let list = await clientFor(globals(c)).listSessions();
        if (o.open) list = list.filter((s) => s.status !== 'closed' && s.status !== 'failed');
        if (globals(c).json) printJson(list);
        else printTable(list, ['id', 'agent', 'status', 'turns', 'model', 'created_at']);
        return 0;
      }),
    );

  sessions
    .command('new')
    .description('create a session; prints its id (--json: the whole answer)')
    .option('--agent <name>', 'the agent (default: the configured default)')
    .option('--model <model>', 'the model to ask the agent for')
    .option('--workspace <dir>', 'workspace_root: a folder under workspaces.allowed_roots')
    .option('--repo <repo>', 'clone this repository (URL or owner/name) into a fresh workspace')
    .option('--branch <branch>', 'the branch to clone')
    .option('--auto-route', 'let routing choose the agent (with --prompt)')
    .option('--prompt <text>', 'the text auto-routing matches its keywords against')
    .action((o: { agent?: string; model?: string; workspace?: string; repo?: string; branch?: string; autoRoute?: boolean; prompt?: string }, c: Command) =>
      run(async () => {
        const body: CreateSessionInput = {
          ...(o.agent ? { agent: o.agent } : {}),
          ...(o.model ? { model: o.model } : {}),
          ...(o.workspace ? { workspace_root: o.workspace } : {}),
          ...(o.repo ? { repo: o.repo } : {}),
          ...(o.branch ? { branch: o.branch } : {}),
          ...(o.autoRoute ? { auto_route: true } : {}),
          ...(o.prompt ? { prompt: o.prompt } : {}),
        };
        const what = o.repo ? `cloning ${o.repo} and starting the agent` : 'starting the agent';
        const s = await new Progress().while(what, clientFor(globals(c)).createSession(body));
        if (globals(c).json) printJson(s);
        else process.stdout.write(`${s.id}\n`);
        return 0;
      }),
    );

  sessions
    .command('show')
    .description('a session: status, workspace, turns, pending approvals, usage')
    .argument('<session>', 'the session id')
    .action((id: string, _o: unknown, c: Command) =>
      run(async () => {
        const s = await clientFor(globals(c)).getSession(id);
        if (globals(c).json) {
          printJson(s);
          return 0;
        }
        printFields({
          id: s.id,
          agent: s.agent,
          model: s.model,
          status: s.status,
          workspace: s.workspace_root,
          created: s.created_at,
          turns: s.turns,
          origin: s.origin,
          'current turn': s.current_turn ? `${s.current_turn.turn} (since ${s.current_turn.started_at})` : null,
          'last turn': s.last_turn ? `${s.last_turn.turn}: ${s.last_turn.outcome} (${s.last_turn.stop_reason ?? s.last_turn.error?.code ?? '-'})` : null,
          'pending approvals': s.pending_approvals.map((a) => a.approval_id).join(', ') || 0,
          usage: `${s.usage.input_tokens} in, ${s.usage.output_tokens} out${costText(s.usage.cost)}`,
          'last error': s.last_error ? `${s.last_error.code}: ${s.last_error.message}` : null,
        });
        return 0;
      }),
    );

  sessions
    .command('close')
    .description('close a session (a running turn is cancelled)')
    .argument('<session>', 'the session id')
    .action((id: string, _o: unknown, c: Command) =>
      run(async () => {
        await clientFor(globals(c)).closeSession(id);
        if (globals(c).json) printJson({ id, closed: true });
        else process.stdout.write(`closed ${id}\n`);
        return 0;
      }),
    );

  program
    .command('agents')
    .description('the configured agents with their live status')
    .action((_o: unknown, c: Command) =>
      run(async () => {
        const client = clientFor(globals(c));
        const [agents, status] = await Promise.all([client.listAgents(), client.agentStatus()]);
        const rows = agents.map((a) => {
          const s = status.find((x) => x.name === a.name);
          return { ...a, ...s, sessions: s ? `${s.active_sessions}/${a.max_sessions}` : '-', last_error: s?.last_error?.code ?? null };
        });
        if (globals(c).json) printJson(rows);
        else printTable(rows, ['name', 'status', 'sessions', 'running_turns', 'restarts', 'mode', 'last_error']);
        return 0;
      }),
    );
}

export function costText(cost: Record<string, number>): string {
  const parts = Object.entries(cost).map(([currency, amount]) => `${amount} ${currency}`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}
