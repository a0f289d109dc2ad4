// acp_pipeline: a pipeline as POST /api/v1/pipelines runs it. The text content is the last answer of the run (and
// why it stopped, when it did not complete), the structured content the pipeline as GET /pipelines/{id} shows it.
// A caller that gave a progress token gets a notification as each step starts and ends, from the pipeline's log.
import { z } from 'zod';
import type { GatewayServices } from '../http/services.js';
import type { RecordedEvent } from '../store/types.js';
import { scopeFor } from '../http/scopes.js';
import { MAX_PIPELINE_STEPS } from '../http/routes/pipelines.js';
import type { PipelineView } from '../pipelines/pipeline-view.js';
import { defineTool, errorResult, failure, textResult, type McpTool, type ToolExtra } from './tool-kit.js';

const pipelineOutput = z.looseObject({
  id: z.string(),
  status: z.string(),
  final_status: z.string().nullable(),
  steps_completed: z.number().int(),
  results: z.array(z.looseObject({ step: z.number().int(), agent: z.string(), status: z.string(), text: z.string() })),
});

export function pipelineTool(gw: GatewayServices): McpTool {
  return defineTool({
    name: 'acp_pipeline',
    description:
      'Run agents one after the other, each in its own session in one shared workspace; a step gets the previous ' +
      "answer unless its prompt_template says otherwise ({{input}}, {{previous}}, {{steps.N.text}}). A failing step ends " +
      'the run. Answers with the last answer; the structured content has every step. Give a progress token to follow the steps.',
    scope: scopeFor('run_pipeline'),
    input: z
      .object({
        steps: z
          .array(
            z
              .object({
                agent: z.string().min(1).max(64),
                prompt_template: z.string().min(1).max(65536).optional(),
                model: z.string().min(1).max(256).optional(),
              })
              .strict(),
          )
          .min(1)
          .max(MAX_PIPELINE_STEPS)
          .describe('the steps, in order'),
        message: z.string().min(1).describe('the input: {{input}}, and the first step prompt when it has no template'),
        workspace_root: z.string().min(1).max(4096).optional(),
      })
      .strict(),
    output: pipelineOutput,
    run: async (args, { meta, extra }) => {
      try {
        if (extra.signal.aborted) return errorResult('Error: the request was cancelled');
        const run = await gw.pipelines.start({ steps: args.steps, input: args.message, ...(args.workspace_root ? { workspace_root: args.workspace_root } : {}) }, meta);
        const token = extra._meta?.progressToken;
        const progress = token === undefined ? undefined : followSteps(gw, run.id, run.after, token, args.steps.length, extra);
        // a caller that goes away does not stop the run (as a REST client that disconnects): DELETE or acp tools do
        const view = (await run.done) as PipelineView;
        await progress?.finish();
        return pipelineResult(view);
      } catch (e) {
        return failure(e);
      }
    },
  });
}

function pipelineResult(view: PipelineView) {
  const structured = view as unknown as Record<string, unknown>;
  const last = [...view.results].reverse().find((r) => r.status === 'completed');
  if (view.final_status !== 'completed') {
    return errorResult(`Error: pipeline ${view.id} ${view.final_status}${view.reason ? `: ${view.reason}` : ''}`, structured);
  }
  return textResult(last?.text ?? '', structured);
}

/** One progress notification per step start and end, in log order, until the run ends. */
function followSteps(gw: GatewayServices, id: string, after: number, token: string | number, steps: number, extra: ToolExtra) {
  let n = 0;
  let sent: Promise<void> = Promise.resolve();
  let sawEnd: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (sawEnd = resolve));
  const subscription = gw.store.subscribe(
    after,
    (events) => {
      for (const e of events) {
        const message = stepMessage(e);
        if (message === undefined) continue;
        if (e.type === 'PipelineEnded' || e.type === 'PipelineDeleted') sawEnd();
        const params = { progressToken: token, progress: ++n, total: steps * 2 + 1, message };
        sent = sent.then(() => extra.sendNotification({ method: 'notifications/progress', params }).catch(() => undefined));
      }
    },
    { streamId: `pipeline:${id}` },
  );
  return {
    async finish() {
      await ended;
      subscription.close();
      await sent;
    },
  };
}

function stepMessage(e: RecordedEvent): string | undefined {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'StepStarted':
      return `step ${d.step} (${d.agent}) started: session ${d.session_id}`;
    case 'StepEnded':
      return `step ${d.step} ${d.status}${d.stop_reason ? ` (${d.stop_reason})` : ''}`;
    case 'PipelineEnded':
      return `pipeline ${d.final_status}: ${d.steps_completed} step(s) completed`;
    case 'PipelineDeleted':
      return 'pipeline cancelled';
    default:
      return undefined;
  }
}
