// acp_orchestrate with the official MCP SDK client: the result as JSON text and structured content, progress
// notifications as the candidates and the judge advance, and a refusal as a tool error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestGateway } from '../helpers/gateway.js';
import { connectSdkClient, textOf } from '../mcp/helpers.js';
import { AGENTS } from './helpers.js';

test('acp_orchestrate: a jury with progress notifications; the same body as REST; refusals are tool errors', async (t) => {
  const g = await startTestGateway({ agents: AGENTS });
  t.after(() => g.dispose());
  const c = await connectSdkClient(g);
  t.after(() => c.close());
  const progress: string[] = [];
  const r = (await c.client.callTool(
    { name: 'acp_orchestrate', arguments: { agents: ['alpha', 'beta'], strategy: 'jury', judge: 'judge-beta', message: 'write a haiku' } },
    CallToolResultSchema,
    { onprogress: (p) => progress.push(p.message ?? '') },
  )) as CallToolResult;
  assert.equal(r.isError, undefined, textOf(r));
  const body = r.structuredContent as any;
  assert.deepEqual(JSON.parse(textOf(r)), body);
  assert.equal(body.status, 'completed');
  assert.equal(body.winner.agent, 'beta');
  assert.deepEqual((await g.api('GET', `/api/v1/orchestrations/${body.id}`)).body, body);
  assert.match(progress[0]!, /^jury: 2 candidates started/);
  assert.ok(progress.some((m) => /^candidate [AB] completed/.test(m)));
  assert.ok(progress.some((m) => /^verdict: [AB]/.test(m)));
  assert.equal(progress.at(-1), 'orchestration completed');

  const refused = (await c.client.callTool({ name: 'acp_orchestrate', arguments: { agents: ['nobody', 'alpha'], strategy: 'race', message: 'x' } })) as CallToolResult;
  assert.equal(refused.isError, true);
  assert.match(textOf(refused), /agent 'nobody' not configured/);
});
