// The body of POST /api/v1/orchestrate (and the arguments of the MCP tool acp_orchestrate).
import { z } from 'zod';
import { messagesSchema } from '../sessions/prompt-schemas.js';
import { judgeModes, orchestrationStrategies } from '../events/orchestration-events.js';

const agentName = z.string().min(1).max(64);

export const orchestrateSchema = z
  .object({
    /** the candidates' agents, in request order; the same agent may appear several times (best-of-N) */
    agents: z.array(agentName).min(1, 'at least one agent is required').max(256),
    messages: messagesSchema,
    strategy: z.enum(orchestrationStrategies),
    /** jury: the agent that judges (in a session of its own) */
    judge: agentName.optional(),
    /** jury: one prompt with every answer (all) or a bracket of pairs; default: bracket above three answers */
    judge_mode: z.enum(judgeModes).optional(),
    workspace_root: z.string().min(1).max(4096).optional(),
    model: z.string().min(1).max(256).optional(),
    /** each candidate's (and judge prompt's) time limit */
    timeout_secs: z.number().positive().max(86_400).optional(),
  })
  .strict();

export type OrchestrateRequest = z.infer<typeof orchestrateSchema>;
