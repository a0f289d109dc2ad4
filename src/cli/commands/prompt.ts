// `aintegrix prompt SESSION TEXT`: the turn streamed as it comes (the agent's text on stdout; thoughts, plans, tool
// calls and permission requests on stderr), permission requests answered at the terminal (or by --approve, or by
// someone else meanwhile), and the stop reason and usage at the end. Ctrl-C cancels the turn; a second one leaves.
import type { Command } from 'commander';
import { createInterface, type Interface } from 'node:readline/promises';
import { clientFor, type GlobalOptions } from '../remote.js';
import { Progress, printJsonLine } from '../output.js';
import { CliError, EXIT, UsageError } from '../exit-codes.js';
import type { AintegrixClient, PromptFrame } from '../../client/index.js';
import { costText } from './sessions.js';

const DECISIONS = ['allow_once', 'allow_always', 'reject_once', 'reject_always'] as const;
type Decision = (typeof DECISIONS)[number];

interface PromptOptions {
  approve?: string;
  interactive?: boolean;
}

export function promptCommand(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('prompt')
    .description('prompt a session and stream the answer; answer its permission requests at the terminal')
    .argument('<session>', 'the session id')
    .argument('<text...>', 'the prompt')
    .option('--approve <decision>', `answer every permission request with this (${DECISIONS.join(', ')})`)
    .option('--no-interactive', 'never ask at the terminal: wait for a decision made elsewhere (approvals decide)')
    .action((session: string, words: string[], o: PromptOptions, c: Command) => run(() => prompt(c.optsWithGlobals<GlobalOptions>(), session, words.join(' '), o)));
}

async function prompt(g: GlobalOptions, session: string, text: string, o: PromptOptions): Promise<number> {
  if (o.approve !== undefined && !(DECISIONS as readonly string[]).includes(o.approve)) {
    throw new UsageError(`--approve: one of ${DECISIONS.join(', ')}`);
  }
  const client = clientFor(g);
  const view = new TurnView(client, g.json === true, o.approve as Decision | undefined, o.interactive !== false && process.stdin.isTTY === true);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) {
      controller.abort();
      return;
    }
    process.stderr.write('\ncancelling the turn (Ctrl-C again to leave it running)\n');
    client.cancelTurn(session).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    view.progress.start('waiting for the agent');
    for await (const frame of client.promptStream(session, text, controller.signal)) {
      const end = await view.frame(session, frame);
      if (end !== undefined) return end;
    }
    throw new CliError('the stream ended before the turn did (follow it with: aintegrix events ' + session + ' --follow)', EXIT.failed);
  } catch (e) {
    if (controller.signal.aborted) return EXIT.interrupted;
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    view.close();
  }
}

/** Renders a prompt stream's frames; returns an exit code once the turn ended. */
class TurnView {
  readonly progress = new Progress();
  private rl: Interface | undefined;
  private lastChar = '\n';
  /** a permission request left to someone else: its progress line stays until the decision comes */
  private waitingElsewhere = false;

  constructor(
    private readonly client: AintegrixClient,
    private readonly json: boolean,
    private readonly approve: Decision | undefined,
    private readonly interactive: boolean,
  ) {}

  async frame(session: string, f: PromptFrame): Promise<number | undefined> {
    this.progress.stop();
    if (this.json) printJsonLine(f);
    switch (f.kind) {
      case 'session_update':
        this.update(f.data);
        break;
      case 'permission_request':
        await this.permission(session, f.data);
        break;
      case 'permission_decided':
        this.waitingElsewhere = false;
        this.note(`permission ${f.data.decision} by ${f.data.decided_by}`);
        break;
      case 'turn_complete':
      case 'error':
        return this.end(f);
    }
    // not in the middle of the agent's text: on a terminal the spinner shares the line with it
    if (this.lastChar === '\n' && !this.waitingElsewhere) this.progress.start('waiting for the agent');
    return undefined;
  }

  private update(u: Record<string, any>): void {
    const kind = u.sessionUpdate as string;
    const text = u.content?.type === 'text' ? String(u.content.text) : '';
    if (kind === 'agent_message_chunk') {
      if (!this.json && text) {
        process.stdout.write(text);
        this.lastChar = text.slice(-1);
      }
    } else if (kind === 'agent_thought_chunk') this.note(`thinking: ${text}`);
    else if (kind === 'plan') this.note(`plan:\n${(u.entries ?? []).map((e: any) => `  [${e.status}] ${e.content}`).join('\n')}`);
    else if (kind === 'tool_call') this.note(`tool: ${u.title ?? u.toolCallId} (${u.kind ?? 'other'}, ${u.status ?? 'pending'})`);
    else if (kind === 'tool_call_update' && u.status) this.note(`tool ${u.title ?? u.toolCallId}: ${u.status}`);
  }

  /** a line on stderr, after the agent's text so far ends its line */
  private note(line: string): void {
    if (this.json) return;
    if (this.lastChar !== '\n') {
      process.stdout.write('\n');
      this.lastChar = '\n';
    }
    process.stderr.write(`· ${line}\n`);
  }

  private async permission(session: string, d: Record<string, any>): Promise<void> {
    const options = (d.options ?? []) as { optionId: string; name?: string; kind: string }[];
    const tool = (d.tool_call ?? {}) as Record<string, any>;
    if (!this.json) {
      this.note(`permission requested: ${tool.title ?? 'a tool call'} (${tool.kind ?? 'other'})`);
      if (tool.rawInput?.command) process.stderr.write(`    command: ${tool.rawInput.command}\n`);
      for (const c of tool.content ?? []) if (c?.type === 'diff') process.stderr.write(`    edits ${c.path}\n`);
    }
    let decision = this.approve;
    if (!decision && this.interactive) decision = await this.ask(options);
    if (!decision) {
      this.waitingElsewhere = true;
      this.progress.start(`waiting for a decision on ${d.approval_id} (aintegrix approvals decide ${d.approval_id} allow_once|reject_once)`);
      return; // decided elsewhere; permission_decided (or the turn's end) comes on the stream
    }
    this.progress.start('sending the decision');
    try {
      await this.client.decideApproval(String(d.approval_id), { decision });
    } catch (e) {
      // decided meanwhile elsewhere, or timed out: the stream says what happened
      this.note(`the decision was not taken: ${(e as Error).message}`);
    }
    this.progress.stop();
    void session;
  }

  private async ask(options: { optionId: string; name?: string; kind: string }[]): Promise<Decision | undefined> {
    const choices = options.filter((o): o is typeof o & { kind: Decision } => (DECISIONS as readonly string[]).includes(o.kind));
    if (choices.length === 0) return undefined;
    this.rl ??= createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const menu = choices.map((o, i) => `  ${i + 1}) ${o.name ?? o.kind} [${o.kind}]`).join('\n');
    for (;;) {
      const answer = (await this.rl.question(`${menu}\nchoose 1-${choices.length}: `)).trim();
      const n = Number(answer);
      if (Number.isInteger(n) && n >= 1 && n <= choices.length) return choices[n - 1]!.kind;
      const byKind = choices.find((o) => o.kind === answer);
      if (byKind) return byKind.kind;
      process.stderr.write(`not a choice: ${answer}\n`);
    }
  }

  private end(f: PromptFrame): number {
    const d = f.data;
    if (!this.json) {
      if (this.lastChar !== '\n') process.stdout.write('\n');
      const u = d.usage as { inputTokens?: number; outputTokens?: number; input_tokens?: number; output_tokens?: number; cost?: { amount: number; currency: string } } | null;
      const usage = u ? ` · usage: ${u.inputTokens ?? u.input_tokens ?? 0} in, ${u.outputTokens ?? u.output_tokens ?? 0} out${u.cost ? costText({ [u.cost.currency]: u.cost.amount }) : ''}` : '';
      if (f.kind === 'error') process.stderr.write(`turn ${d.turn} failed: ${d.code}: ${d.message} (stop reason: ${d.stop_reason ?? '-'})${usage}\n`);
      else process.stderr.write(`turn ${d.turn} ended: ${d.stop_reason} (${d.outcome})${usage}\n`);
    }
    return f.kind === 'error' ? EXIT.failed : EXIT.ok;
  }

  close(): void {
    this.progress.stop();
    this.rl?.close();
  }
}
