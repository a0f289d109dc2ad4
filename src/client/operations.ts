// The operations the typed client calls, by the operationId GET /openapi.json gives them: method and path template.
// test/openapi/client.test.ts checks this table against the document, so a route that moves breaks a test here.
export const OPERATIONS = {
  health: ['GET', '/health'],
  readiness: ['GET', '/readiness'],
  getOpenApi: ['GET', '/openapi.json'],
  listAgents: ['GET', '/api/v1/agents'],
  agentStatus: ['GET', '/api/v1/agents/status'],
  agentModels: ['GET', '/api/v1/agents/{name}/models'],
  listSessions: ['GET', '/api/v1/sessions'],
  createSession: ['POST', '/api/v1/sessions'],
  getSession: ['GET', '/api/v1/sessions/{id}'],
  closeSession: ['DELETE', '/api/v1/sessions/{id}'],
  cancelTurn: ['POST', '/api/v1/sessions/{id}/cancel'],
  prompt: ['POST', '/api/v1/sessions/{id}/prompt'],
  promptStream: ['POST', '/api/v1/sessions/{id}/stream'],
  createAndStream: ['POST', '/api/v1/stream'],
  forkSession: ['POST', '/api/v1/sessions/{id}/fork'],
  setModel: ['POST', '/api/v1/sessions/{id}/model'],
  sessionEvents: ['GET', '/api/v1/sessions/{id}/events'],
  listApprovals: ['GET', '/api/v1/approvals'],
  decideApproval: ['POST', '/api/v1/approvals/{id}'],
  usage: ['GET', '/api/v1/usage'],
  verifyAudit: ['GET', '/api/v1/audit/verify'],
  exportAudit: ['GET', '/api/v1/audit/export'],
  orchestrate: ['POST', '/api/v1/orchestrate'],
  listOrchestrations: ['GET', '/api/v1/orchestrations'],
  getOrchestration: ['GET', '/api/v1/orchestrations/{id}'],
  runPipeline: ['POST', '/api/v1/pipelines'],
  listPipelines: ['GET', '/api/v1/pipelines'],
  getPipeline: ['GET', '/api/v1/pipelines/{id}'],
} as const satisfies Record<string, readonly [string, string]>;

export type OperationId = keyof typeof OPERATIONS;
