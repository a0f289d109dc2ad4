// The composition root: opens the log, restores every actor from it, wires the services and serves the API.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AintegrixConfig } from '../config/index.js';
import { findAgent, resolveStoreUrl, toAcpMcpServer } from '../config/index.js';
import { describePostgresUrl, openConfiguredEventStore } from '../store/index.js';
import type { EventStore } from '../store/types.js';
import { createCatalogue } from '../events/index.js';
import { ActorRuntime, type RestoreReport } from '../actors/runtime.js';
import { AgentProcesses } from '../agents/agent-processes.js';
import { AgentStatusView } from '../agents/agent-status.js';
import { PermissionPolicy } from '../permissions/index.js';
import { SessionService } from '../sessions/session-service.js';
import { ApprovalService } from '../sessions/approval-service.js';
import { SessionsProjection } from '../sessions/sessions-projection.js';
import { recoverAtBoot, type RecoveryReport } from '../sessions/recovery.js';
import { buildAgentEnv } from '../acp/agent-env.js';
import { sandboxFactory } from '../sandbox/index.js';
import { startHttpServer, type HttpServer } from '../http/server.js';
import { TokenAuthenticator, type NamedToken } from '../http/auth.js';
import { RateLimiter } from '../http/rate-limiter.js';
import type { Logger } from '../log/logger.js';
import type { GatewayServices } from '../http/services.js';
import { apiRoutes } from './routes.js';
import { SessionStreams } from '../streams/session-streams.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { liveGauges } from '../metrics/live-gauges.js';
import { mountSessionSocket } from '../http/ws.js';
import { mountRemoteAcpSocket } from '../remote-acp/acp-socket.js';
import { remoteAcpLoader } from '../remote-acp/acp-routes.js';
import { HostOriginPolicy } from '../http/host-origin.js';
import { loadAnchorKey, startAuditAnchor } from './audit-anchor.js';
import { Budgets, UsageLedger } from '../usage/index.js';
import { OrchestrationService } from '../orchestrations/orchestration-service.js';
import { PipelineService } from '../pipelines/pipeline-service.js';
import { stepSessions, type StepSessions } from '../multiagent/session-port.js';
import { ReviewService } from '../reviews/review-service.js';
import { reviewSessions } from '../reviews/review-sessions.js';
import { resolveWebhookSecret } from '../webhooks/webhook-secret.js';
import { approvalSession, openClusterNode } from '../cluster/cluster-node.js';

export interface GatewayOptions {
  config: AintegrixConfig;
  tokens: readonly NamedToken[];
  logger: Logger;
  /** the gateway's own environment (agents get a filtered copy) */
  env: Record<string, string | undefined>;
  /** how long an agent has to answer session/cancel (default 5 s) */
  cancelGraceMs?: number;
  /** restart back-off after consecutive agent crashes (default 1, 2, 4, 8, 16 s); tests shorten it */
  restartBackoffMs?: readonly number[];
  /** files holding secrets (the config file, the API key file), hidden from sandboxed agents */
  secretFiles?: readonly string[];
}

export interface Gateway extends GatewayServices {
  readonly http: HttpServer;
  readonly url: string;
  readonly runtime: ActorRuntime;
  readonly restored: RestoreReport;
  readonly recovered: RecoveryReport;
  close(): Promise<void>;
}

export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const { config, logger } = o;
  if (config.store.path !== ':memory:') mkdirSync(dirname(config.store.path), { recursive: true, mode: 0o700 });
  if (config.store.kind === 'postgres') mkdirSync(dirname(config.store.mirror_path), { recursive: true, mode: 0o700 });
  mkdirSync(config.store.data_dir, { recursive: true, mode: 0o700 });
  chmodSync(config.store.data_dir, 0o700); // the database, the token and the audit key live here
  const anchorKey = loadAnchorKey(config, logger); // before the store opens: a bad key file stops the start
  const storeUrl = resolveStoreUrl(config, o.env);
  // several nodes on one PostgreSQL database (src/cluster): their leases, before the store opens
  const cluster = config.cluster !== undefined && storeUrl !== undefined
    ? await openClusterNode({ cluster: config.cluster, dataDir: config.store.data_dir, host: config.server.host, port: config.server.port, storeUrl, logger, tokens: o.tokens })
    : undefined;
  const store: EventStore = await openConfiguredEventStore(config.store, {
    url: storeUrl,
    // a node paused mid-commit must not stall the others' heartbeats past their leases' TTL
    ...(cluster ? { nodeId: cluster.nodeId, idleInTransactionMs: Math.max(1000, (config.cluster!.lease_ttl_secs * 1000) / 2) } : {}),
    onError: (error, context) => logger.error('event store', { context, error: error as Error }),
  });
  if (storeUrl !== undefined) logger.info('event store on PostgreSQL', { server: describePostgresUrl(storeUrl), mirror: config.store.mirror_path });
  const anchor = startAuditAnchor(config, store, anchorKey, logger);
  const catalogue = createCatalogue();
  const runtime = new ActorRuntime({ store, catalogue, logger, snapshotEvery: config.store.snapshot_every, ...(cluster ? { fenceFor: cluster.fenceFor, claim: cluster.claim } : {}) });
  cluster?.bindStore(store, runtime);
  const policy = new PermissionPolicy(config.permissions);
  const webhookSecret = resolveWebhookSecret(config, o.env);
  // the git token, the webhook secret and the post-back tokens are secrets too: no agent env value may equal them
  const secrets = [...o.tokens.map((t) => t.token), ...[config.git.token, webhookSecret, config.webhooks.gitlab.token, config.webhooks.github.token, storeUrl].filter((s) => s !== undefined)];
  // written by the permission broker (SessionDeps.approvals) and read by nothing any more: approvals are served by
  // the sessions projection; it goes with the broker's registerApproval
  const instances = new Map<string, number>();
  const agentEnv = (agent: string) => buildAgentEnv({ gatewayEnv: o.env, configured: findAgent(config, agent)?.env ?? {}, secrets }).env;
  const usage = new UsageLedger(store);
  const budgets = new Budgets(config.budgets, usage);

  // every start and stop of an agent process is asked of its actor (`agent:<name>:<n>`) and recorded before it happens
  const processes = new AgentProcesses(
    runtime,
    (agent) => {
      // a cluster node numbers its own processes under its id: the streams of every node share one log
      const name = cluster ? `${agent}:${cluster.nodeId}.` : `${agent}:`;
      const n = (instances.get(agent) ?? store.listStreams(`agent:${name}`).length) + 1;
      instances.set(agent, n);
      return `${name}${n}`;
    },
    logger,
  );
  const sessions = new SessionService(runtime, {
    config,
    store,
    policy,
    logger,
    cancelGraceMs: o.cancelGraceMs ?? 5000,
    restartBackoffMs: o.restartBackoffMs,
    now: () => Date.now(),
    gatewayEnv: o.env,
    budgets,
    agentEnv,
    sandboxFor: sandboxFactory({ config, gatewayEnv: o.env, agentEnv, secretFiles: o.secretFiles ?? [] }),
    mcpServersFor: (ctx) => [...(findAgent(config, ctx.agent)?.mcp_servers ?? []).map(toAcpMcpServer), ...ctx.mcpServers],
    processes,
  });
  runtime.register(sessions.kind);
  runtime.register(processes.kind);
  // candidates and judges reach sessions through the shared port, made once the services exist (below)
  let ports: StepSessions | undefined;
  const orchestrations = new OrchestrationService(runtime, { config, store, logger, gatewayEnv: o.env, sessions: () => ports! });
  runtime.register(orchestrations.kind);
  const reviews = new ReviewService(runtime, {
    config,
    logger,
    gatewayEnv: o.env,
    shuttingDown: () => shuttingDown,
    sessions: reviewSessions(sessions),
  });
  runtime.register(reviews.kind);
  const pipelines = new PipelineService(runtime, { config, logger, sessions: () => ports! });
  runtime.register(pipelines.kind);
  for (const [agent, a] of Object.entries(config.agents)) {
    for (const d of buildAgentEnv({ gatewayEnv: o.env, configured: a.env, secrets }).dropped) {
      logger.warn('agent environment variable left out', { agent, key: d.key, reason: d.reason });
    }
  }

  const restored = runtime.restoreAll(cluster?.accepts);
  reviews.indexRestored();
  const projection = new SessionsProjection({
    list: () => sessions.actors(),
    get: (id) => runtime.get<typeof sessions.kind.machine>(`session:${id}`),
  });
  store.onCommitted((events) => projection.observeCommitted(events));
  const agentStatus = new AgentStatusView(config, projection, store);
  store.onCommitted((events) => agentStatus.observeCommitted(events));
  store.onCommitted((events) => usage.observeCommitted(events));
  // a running turn that reports usage past a budget is cancelled (after this commit, not inside it)
  usage.onRunningUsage((id) => {
    const over = budgets.whileRunning(id);
    const turn = usage.session(id)?.running?.turn;
    if (!over || turn === undefined) return;
    setImmediate(() => {
      sessions.cancelForBudget(id, turn, over).catch((e: Error) => logger.error('cannot cancel a turn over budget', { session: id, error: e }));
    });
  });
  const approvals = new ApprovalService(sessions, projection, store);
  const boot = `boot-${Date.now().toString(36)}`;
  const recovered = await recoverAtBoot(runtime, sessions, logger, boot);

  const streams = new SessionStreams(store, config.limits.stream_stall_secs * 1000);
  const metrics = new GatewayMetrics(store, liveGauges(sessions, runtime, streams));
  const { otlp_endpoint } = config.telemetry;
  // the OpenTelemetry SDK is loaded only when traces are configured (boot time is benchmarked without them)
  const tracing = otlp_endpoint
    ? (await import('../metrics/tracing.js')).startTracing({ ...config.telemetry, otlp_endpoint }, store, logger)
    : undefined;
  let shuttingDown = false;
  const shutdownHooks: (() => Promise<void> | void)[] = [];
  const hostOrigin = new HostOriginPolicy({
    bindHost: config.server.host,
    allowedHosts: config.server.allowed_hosts,
    allowedOrigins: config.server.allowed_origins,
  });
  const services: GatewayServices = {
    metrics,
    hostOrigin,
    atShutdown: (hook) => void shutdownHooks.push(hook),
    streams,
    config,
    store,
    sessions,
    approvals,
    orchestrations,
    pipelines,
    agentStatus,
    usage,
    reviews,
    webhookSecret,
    logger,
    auditVerifier: anchor.verifier,
    shuttingDown: () => shuttingDown,
    ...(cluster ? { relay: cluster.relay } : {}),
  };

  ports = stepSessions(services);
  cluster?.bindServices({ sessions, orchestrations, pipelines, reviews, boot, config, gatewayEnv: o.env });
  // what a restart cut short is recorded as interrupted; POST /orchestrations/{id}/resume re-runs it
  const interruptedOrchestrations = await orchestrations.interruptAtBoot();
  await pipelines.interruptAtBoot('the gateway stopped while it ran');
  if (interruptedOrchestrations > 0) logger.info('orchestrations interrupted by the restart', { count: interruptedOrchestrations });

  const authenticator = new TokenAuthenticator(o.tokens);
  const remoteAcp = remoteAcpLoader(services);
  for (const t of o.tokens) {
    if (t.scopes === undefined) {
      // a config written before scopes existed: it keeps working, and the operator learns what it grants
      logger.info('token has no scopes configured: it holds all of them (read, prompt, approve, admin); set auth.tokens[].scopes to narrow it', { token: t.name });
    }
  }
  const http = await startHttpServer({
    host: config.server.host,
    port: config.server.port,
    routes: cluster ? cluster.wrapRoutes(apiRoutes(services, remoteAcp), config.limits.max_body_bytes, approvalSession(approvals)) : apiRoutes(services, remoteAcp),
    beforeRoutes: (app) => {
      mountSessionSocket(app, services, authenticator);
      mountRemoteAcpSocket(app, services, authenticator, remoteAcp);
    },
    deps: {
      authenticator,
      hostOrigin,
      rateLimiter: new RateLimiter(config.limits.rate.requests_per_second, config.limits.rate.burst),
      logger,
      onRequest: (method, route, status, seconds) => metrics.countRequest(method, route, status, seconds),
    },
  });

  // after recovery (interrupted turns recorded, sessions idle again) and once the routes serve
  await reviews.resumeAtBoot(boot);
  await cluster?.start(http.port); // heartbeats, takeovers and the followed actors of other nodes

  let closing: Promise<void> | undefined;
  return {
    ...services,
    http,
    url: http.url,
    runtime,
    restored,
    recovered,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        orchestrations.shutdown(); // first: what the stopping sessions report is not a candidate's result
        pipelines.shutdown();
        http.close();
        await Promise.all(shutdownHooks.map((h) => Promise.resolve(h()).catch((e: Error) => logger.error('shutdown hook failed', { error: e }))));
        streams.stop();
        cluster?.stopTakingOver(); // its leases are still renewed while its actors stop
        await sessions.stopAll();
        await runtime.settled();
        runtime.stop();
        await cluster?.close(); // after the actors stopped: the other nodes take every lease over at once
        await tracing?.close(); // the last turns' spans, before the store closes
        await anchor.close(); // signs the final head: after the last commit, before the store closes
        await store.close();
      })();
      return closing;
    },
  };
}
