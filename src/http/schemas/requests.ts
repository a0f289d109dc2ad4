// The request bodies of the session, prompt and pipeline routes, in a module that holds only schemas (zod and other
// schema modules): the routes validate with them, GET /openapi.json documents them, and the typed client takes its
// input types from them without pulling the server's modules into a browser build's type-check.
import { z } from 'zod';
import { mcpServerSchema } from '../routes/mcp-server-schema.js';
import { originFields } from '../routes/origin-fields.js';
import { embeddedContextSchema, messagesSchema } from '../../sessions/prompt-schemas.js';

export const createSessionSchema = z
  .object({
    agent: z.string().min(1).max(64).optional(),
    workspace_root: z.string().min(1).max(4096).optional(),
    model: z.string().min(1).max(256).optional(),
    mcp_servers: z.array(mcpServerSchema).max(32).optional(),
    ...originFields,
    /** auto_route: the text routing matches keywords against */
    prompt: z.string().min(1).max(65536).optional(),
  })
  .strict()
  .meta({ id: 'CreateSession' });

export const forkSchema = z
  .object({
    target_agent: z.string().min(1).max(64).optional(),
    /** a log position of the source session: the fork's conversation goes up to it (inclusive) */
    at: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

export const promptBodySchema = z.object({ messages: messagesSchema, embedded_context: embeddedContextSchema.optional() }).strict().meta({ id: 'PromptBody' });

/** the most steps one pipeline may have */
export const MAX_PIPELINE_STEPS = 16;

const stepSchema = z
  .object({
    agent: z.string().min(1).max(64),
    prompt_template: z.string().min(1).max(65536).optional(),
    model: z.string().min(1).max(256).optional(),
  })
  .strict();

export const pipelineSchema = z
  .object({
    steps: z.array(stepSchema).min(1, 'at least one step is required').max(MAX_PIPELINE_STEPS, `at most ${MAX_PIPELINE_STEPS} steps`),
    messages: messagesSchema,
    workspace_root: z.string().min(1).max(4096).optional(),
  })
  .strict();
