// The typed client's types: inferred from the same zod schemas the gateway validates requests with and documents its
// answers with (type-only imports: the client carries no zod, no server code, and runs in a browser as in Node). Only
// modules that hold schemas and nothing else are named here, so that the console's type-check (DOM types, no Node
// types) reads them and not the server: test/ui/console-serving.test.ts keeps it so.
import type { z } from 'zod';
import type { agentModelsSchema, agentSchema, agentStatusSchema } from '../http/schemas/agents.js';
import type { approvalSchema, cancelResultSchema, forkResultSchema, modelChangedSchema, sessionCreatedSchema, sessionDetailSchema, sessionSummarySchema, turnResultSchema } from '../http/schemas/sessions.js';
import type { decidedApprovalSchema } from '../http/schemas/approvals.js';
import type { eventPageSchema, eventViewSchema } from '../http/schemas/events.js';
import type { exportLineSchema, verifyReportSchema } from '../http/schemas/audit.js';
import type { usageReportSchema } from '../http/schemas/usage.js';
import type { errorSchema } from '../http/schemas/error.js';
import type { orchestrationSchema, orchestrationSummarySchema } from '../http/schemas/orchestrations.js';
import type { createSessionSchema, forkSchema, pipelineSchema, promptBodySchema } from '../http/schemas/requests.js';
import type { approvalDecisionSchema } from '../sessions/approval-decision.js';
import type { orchestrateSchema } from '../orchestrations/orchestrate-request.js';
import type { pipelineViewSchema } from '../http/schemas/pipelines.js';
import type { reviewDetailSchema, reviewSummarySchema } from '../http/schemas/reviews.js';

export type Agent = z.output<typeof agentSchema>;
export type AgentStatus = z.output<typeof agentStatusSchema>;
export type AgentModels = z.output<typeof agentModelsSchema>;
export type SessionSummary = z.output<typeof sessionSummarySchema>;
export type SessionDetail = z.output<typeof sessionDetailSchema>;
export type SessionCreated = z.output<typeof sessionCreatedSchema>;
export type TurnResult = z.output<typeof turnResultSchema>;
export type CancelResult = z.output<typeof cancelResultSchema>;
export type ForkResult = z.output<typeof forkResultSchema>;
export type ModelChanged = z.output<typeof modelChangedSchema>;
export type Approval = z.output<typeof approvalSchema>;
export type DecidedApproval = z.output<typeof decidedApprovalSchema>;
export type EventView = z.output<typeof eventViewSchema>;
export type EventPage = z.output<typeof eventPageSchema>;
export type VerifyReport = z.output<typeof verifyReportSchema>;
export type ExportLine = z.output<typeof exportLineSchema>;
export type UsageReport = z.output<typeof usageReportSchema>;
export type ErrorBody = z.output<typeof errorSchema>;
export type Orchestration = z.output<typeof orchestrationSchema>;
export type OrchestrationSummary = z.output<typeof orchestrationSummarySchema>;
export type Pipeline = z.output<typeof pipelineViewSchema>;
export type ReviewSummary = z.output<typeof reviewSummarySchema>;
export type ReviewDetail = z.output<typeof reviewDetailSchema>;

export type CreateSessionInput = z.input<typeof createSessionSchema>;
export type ForkInput = z.input<typeof forkSchema>;
export type PromptBody = z.input<typeof promptBodySchema>;
export type ApprovalDecision = z.input<typeof approvalDecisionSchema>;
export type OrchestrateInput = z.input<typeof orchestrateSchema>;
export type PipelineInput = z.input<typeof pipelineSchema>;

/** GET /api/v1/usage's query (strings as in a URL: times as dates, ISO 8601 or epoch ms) */
export interface UsageQuery {
  agent?: string;
  session?: string;
  token?: string;
  since?: string;
  until?: string;
  group_by?: 'agent' | 'model' | 'session' | 'token' | 'day';
}

export interface ExportQuery {
  stream?: string;
  type?: string;
  since?: string;
  until?: string;
  after?: number;
}

export interface EventsQuery {
  after?: number;
  limit?: number;
  type?: string;
}

/** One frame of a prompt's SSE stream (src/streams/client-messages.ts) */
export interface PromptFrame {
  /** the log position (resume a dropped stream with sessionEvents / streamEvents from it) */
  position: number;
  kind: 'session_created' | 'repo_cloned' | 'session_routed' | 'session_update' | 'permission_request' | 'permission_decided' | 'turn_complete' | 'error' | (string & {});
  data: Record<string, any>;
}
