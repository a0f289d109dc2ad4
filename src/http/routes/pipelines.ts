// Pipelines: POST /api/v1/pipelines runs steps one after the other (answered when the run ends, or as SSE), and the
// generic routes of a multi-agent actor kind: list, read, events, delete, resume.
import type { Route } from '../router.js';
import type { GatewayServices } from '../services.js';
import { parseWith } from '../validation.js';
import { HttpError } from '../errors.js';
import { scopeFor } from '../scopes.js';
import { commandMeta, readBody } from './prompt-requests.js';
import { promptText, toContentBlocks } from '../../sessions/prompt-input.js';
import { multiAgentRoutes } from '../../multiagent/actor-routes.js';
import { answerRun } from '../../multiagent/actor-sse.js';
import { pipelineViewSchema } from '../schemas/pipelines.js';
import { pipelineSchema } from '../schemas/requests.js';

export { MAX_PIPELINE_STEPS } from '../schemas/requests.js';

const PIPELINE_STREAM = 'pipeline_started, step_started, step_update (the step\'s ACP update), step_complete, pipeline_complete; each id is its log position';

export function pipelineRoutes(gw: GatewayServices): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/pipelines',
      scope: scopeFor('run_pipeline'),
      doc: {
        operationId: 'runPipeline',
        summary: 'Agents one after the other, each in its own session in one workspace, the answers feeding the templates',
        tag: 'pipelines',
        body: pipelineSchema,
        responses: {
          200: { description: 'the pipeline once it ended (or its SSE stream with Accept: text/event-stream)', json: pipelineViewSchema, media: { 'text/event-stream': { description: PIPELINE_STREAM } } },
        },
        errors: { 404: 'agent_not_found', 413: 'prompt_too_large' },
      },
      handler: async (ctx) => {
        const body = parseWith(pipelineSchema, await readBody(gw, ctx));
        const input = promptText(toContentBlocks(body.messages));
        if (Buffer.byteLength(input) > gw.config.limits.max_prompt_bytes) {
          throw new HttpError(413, 'prompt_too_large', `messages: the text is over limits.max_prompt_bytes (${gw.config.limits.max_prompt_bytes})`);
        }
        const run = await gw.pipelines.start({ steps: body.steps, input, ...(body.workspace_root ? { workspace_root: body.workspace_root } : {}) }, commandMeta(ctx));
        return answerRun(gw, ctx, `pipeline:${run.id}`, run, gw.pipelines.sse);
      },
    },
    ...multiAgentRoutes(gw, gw.pipelines, { read: scopeFor('read_pipelines'), write: scopeFor('run_pipeline') }, { tag: 'pipelines', noun: 'Pipeline', view: pipelineViewSchema, summary: pipelineViewSchema, stream: PIPELINE_STREAM }),
  ];
}
