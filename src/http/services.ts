// What the API surfaces (REST, streams, MCP) reach: the services of one running gateway.
import type { CommandRelay } from '../cluster/command-relay.js';
import type { AintegrixConfig } from '../config/index.js';
import type { EventStore } from '../store/types.js';
import type { SessionService } from '../sessions/session-service.js';
import type { ApprovalService } from '../sessions/approval-service.js';
import type { AgentStatusView } from '../agents/agent-status.js';
import type { Logger } from '../log/logger.js';
import type { SessionStreams } from '../streams/session-streams.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { HostOriginPolicy } from './host-origin.js';
import type { VerifyService } from '../audit/verify-service.js';
import type { UsageLedger } from '../usage/index.js';
import type { OrchestrationService } from '../orchestrations/orchestration-service.js';
import type { ReviewService } from '../reviews/review-service.js';
import type { PipelineService } from '../pipelines/pipeline-service.js';

export interface GatewayServices {
  readonly config: AintegrixConfig;
  readonly store: EventStore;
  readonly sessions: SessionService;
  readonly approvals: ApprovalService;
  /** multi-agent orchestrations (parallel, race, jury) over ordinary sessions */
  readonly orchestrations: OrchestrationService;
  /** pipelines: steps run one after the other, each an ordinary session */
  readonly pipelines: PipelineService;
  readonly agentStatus: AgentStatusView;
  /** usage per turn, a fold of the log (GET /usage, each session's usage, acp_usage, the budgets) */
  readonly usage: UsageLedger;
  readonly logger: Logger;
  /** live streams of session logs (SSE, WebSocket) */
  readonly streams: SessionStreams;
  readonly metrics: GatewayMetrics;
  /** the Host and Origin allow-lists every request is checked against */
  readonly hostOrigin: HostOriginPolicy;
  /** the anchored audit verification, off the event loop, one walk at a time */
  readonly auditVerifier: VerifyService;
  /** merge/pull request reviews started by the git webhook */
  readonly reviews: ReviewService;
  /** the git webhook's shared secret (webhooks/webhook-secret.ts); undefined: webhooks are disabled */
  readonly webhookSecret: string | undefined;
  shuttingDown(): boolean;
  /** a cluster node: commands of the WebSocket and MCP surfaces for an actor another node runs go to it */
  readonly relay?: CommandRelay;
  /** run `hook` when the gateway shuts down (after it stops accepting connections, before agents stop) */
  atShutdown(hook: () => Promise<void> | void): void;
}
