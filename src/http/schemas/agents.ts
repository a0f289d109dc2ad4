// The JSON of the agent routes: the configured agents, their live status, their models.
import { z } from 'zod';

export const agentSchema = z
  .object({ name: z.string(), command: z.string(), mode: z.string(), max_sessions: z.number().int() })
  .meta({ id: 'Agent' });

export const agentStatusSchema = z
  .object({
    name: z.string(),
    status: z.enum(['idle', 'busy']),
    active_sessions: z.number().int(),
    running_turns: z.number().int(),
    max_sessions: z.number().int(),
    restarts: z.number().int(),
    last_error: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  })
  .meta({ id: 'AgentStatus' });

export const agentModelsSchema = z
  .object({
    agent: z.string(),
    default_model: z.string().nullable(),
    /** the configured models and the ones a live session of the agent reported */
    models: z.array(z.string()),
    configured: z.array(z.string()),
    reported: z.object({ available: z.array(z.string()), current: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'AgentModels' });
