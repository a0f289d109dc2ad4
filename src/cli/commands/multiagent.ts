// `aintegrix orchestrate` and `aintegrix pipeline`: one prompt to several agents (parallel, race, jury), or a chain
// of agents each given the previous one's answer (API.txt's POST /api/v1/orchestrate and /api/v1/pipelines).
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../remote.js';
import { Progress, printJson } from '../output.js';
import { UsageError } from '../exit-codes.js';
import { sseFrames, type AintegrixClient, type Orchestration, type Pipeline, type PipelineInput } from '../../client/index.js';

const STRATEGIES = ['parallel', 'race', 'jury'];

export function multiAgentCommands(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const globals = (c: Command) => c.optsWithGlobals<GlobalOptions>();
  program
    .command('orchestrate')
    .description('send one prompt to several agents: parallel (all answer), race (first wins), jury (a judge picks)')
    .argument('<text...>', 'the prompt')
    .requiredOption('--agents <names>', 'the agents, comma-separated')
    .option('--strategy <strategy>', STRATEGIES.join(' | '), 'parallel')
    .option('--judge <agent>', 'the judging agent (jury)')
    .action((words: string[], o: { agents: string; strategy: string; judge?: string }, c: Command) =>
      run(async () => {
        if (!STRATEGIES.includes(o.strategy)) throw new UsageError(`--strategy: one of ${STRATEGIES.join(', ')}`);
        const agents = o.agents.split(',').map((a) => a.trim()).filter(Boolean);
        if (agents.length === 0) throw new UsageError('--agents: at least one agent');
        const body = { agents, messages: [{ type: 'text', text: words.join(' ') }], strategy: o.strategy, ...(o.judge ? { judge: o.judge } : {}) };
        const r = await new Progress().while(`waiting for ${agents.length} agents (${o.strategy})`, clientFor(globals(c)).orchestrate(body as Parameters<AintegrixClient['orchestrate']>[0]));
        if (globals(c).json) printJson(r);
        else printOrchestration(r);
        return r.status === 'completed' ? 0 : 1;
      }),
    );

  program
    .command('pipeline')
    .description('run agents in sequence, each step given the previous answer')
    .argument('<text...>', 'the prompt of the first step')
    // repeated, one value each time (a variadic option would swallow the prompt's words after the last step)
    .requiredOption(
      '--step <step>',
      'a step: AGENT or AGENT=TEMPLATE, a prompt template with {{input}}, {{previous}} (the default), {{steps.N.text}} (repeat, in order)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .action((words: string[], o: { step: string[] }, c: Command) =>
      run(async () => {
        const steps = o.step.map((s) => {
          const eq = s.indexOf('=');
          return eq === -1 ? { agent: s } : { agent: s.slice(0, eq), prompt_template: s.slice(eq + 1) };
        });
        if (steps.some((s) => !s.agent)) throw new UsageError('--step: AGENT or AGENT=TEMPLATE');
        const body = { steps, messages: [{ type: 'text' as const, text: words.join(' ') }] };
        const client = clientFor(globals(c));
        if (globals(c).json) {
          const r = await new Progress().while(`running ${steps.length} steps`, client.runPipeline(body));
          printJson(r);
          return r.status === 'completed' ? 0 : 1;
        }
        const r = await new Progress().while(`running ${steps.length} steps`, streamPipeline(client, body));
        printPipelineEnd(r);
        return r.status === 'completed' ? 0 : 1;
      }),
    );
}

type StepResult = Pipeline['results'][number];

/**
 * Run a pipeline as a stream (POST with Accept: text/event-stream) and print each step as it finishes; answers the
 * run as GET /pipelines/{id} shows it once it ended.
 */
async function streamPipeline(client: AintegrixClient, body: PipelineInput): Promise<Pipeline> {
  const res = await client.open('runPipeline', { body, headers: { accept: 'text/event-stream' } });
  const agents = new Map<number, string>();
  let id: string | undefined;
  for await (const f of sseFrames(res.body!)) {
    const d = JSON.parse(f.data) as Record<string, any>;
    if (f.event === 'pipeline_started') id = d.id as string;
    else if (f.event === 'step_started') agents.set(d.step as number, d.agent as string);
    else if (f.event === 'step_complete') printStep({ ...d, agent: (d.agent as string | undefined) ?? agents.get(d.step as number) ?? '?' } as StepResult);
    else if (f.event === 'pipeline_complete') break;
  }
  if (id === undefined) throw new Error('the pipeline stream ended before the run started');
  return client.getPipeline(id);
}

function printStep(s: StepResult): void {
  const session = s.session_id ? ` ${s.session_id}` : '';
  process.stdout.write(`${s.step}. ${s.agent} ${s.status} (${s.stop_reason ?? s.error?.code ?? '-'})${session}\n`);
  if (s.error) process.stdout.write(`    ${s.error.message}\n`);
  if (s.text) process.stdout.write(s.text.replace(/^/gm, '    ') + '\n');
}

/** After the steps (printed as they finished): the run's outcome. */
function printPipelineEnd(r: Pipeline): void {
  const took = r.duration_ms !== null ? ` in ${r.duration_ms} ms` : '';
  process.stdout.write(`${r.id}: ${r.status}${took}, ${r.steps_completed}/${r.results.length} steps\n`);
  if (r.reason) process.stdout.write(`reason: ${r.reason}\n`);
}

function printOrchestration(r: Orchestration): void {
  process.stdout.write(`${r.id}: ${r.strategy}, ${r.status}${r.duration_ms !== null ? ` in ${r.duration_ms} ms` : ''}\n`);
  for (const x of r.results) {
    const mark = r.winner?.label === x.label ? '*' : ' ';
    process.stdout.write(`${mark} ${x.label} ${x.agent} ${x.status} (${x.stop_reason ?? x.error?.code ?? '-'})\n`);
    if (x.text) process.stdout.write(x.text.replace(/^/gm, '    ') + '\n');
  }
  if (r.verdict) process.stdout.write(`verdict: ${r.verdict.winner}${r.verdict.fallback ? ' (fallback)' : ''}: ${r.verdict.rationale}\n`);
  if (r.reason) process.stdout.write(`reason: ${r.reason}\n`);
}
