// acp_pipeline with the official MCP SDK client: the run's last answer as text, every step in the structured content,
// a progress notification as each step starts and ends; a failing run is an isError result saying why; a bad
// placeholder is refused before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestGateway } from '../helpers/gateway.js';
import { connectSdkClient, textOf } from '../mcp/helpers.js';

test('acp_pipeline: text plus structured content, progress as steps advance', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const c = await connectSdkClient(g);
  t.after(() => c.close());
  const progress: { progress: number; total?: number; message?: string }[] = [];
  const r = (await c.client.callTool(
    { name: 'acp_pipeline', arguments: { steps: [{ agent: 'demo' }, { agent: 'demo', prompt_template: 'two: {{previous}}' }], message: 'via mcp' } },
    CallToolResultSchema,
    { onprogress: (p) => progress.push({ progress: p.progress, total: p.total, message: p.message }) },
  )) as CallToolResult;
  assert.equal(r.isError, undefined, JSON.stringify(r));
  assert.equal(textOf(r), 'echo: two: echo: via mcp');
  const s = r.structuredContent as { id: string; final_status: string; steps_completed: number; results: { text: string; session_id: string }[] };
  assert.equal(s.final_status, 'completed');
  assert.equal(s.steps_completed, 2);
  assert.equal(s.results[0]!.text, 'echo: via mcp');
  assert.deepEqual((await g.api('GET', `/api/v1/pipelines/${s.id}`)).body.results, s.results);
  assert.deepEqual(progress.map((p) => p.progress), [1, 2, 3, 4, 5]);
  assert.match(progress[0]!.message!, /^step 1 \(demo\) started: session demo_/);
  assert.equal(progress[1]!.message, 'step 1 completed (end_turn)');
  assert.equal(progress[4]!.message, 'pipeline completed: 2 step(s) completed');

  const failed = (await c.client.callTool({ name: 'acp_pipeline', arguments: { steps: [{ agent: 'demo', prompt_template: '/fail' }, { agent: 'demo' }], message: 'x' } })) as CallToolResult;
  assert.equal(failed.isError, true);
  assert.match(textOf(failed), /^Error: pipeline pl_\S+ failed: step 1 \(demo\) failed/);
  assert.deepEqual((failed.structuredContent as { results: { status: string }[] }).results.map((x) => x.status), ['failed', 'skipped']);

  const bad = (await c.client.callTool({ name: 'acp_pipeline', arguments: { steps: [{ agent: 'demo', prompt_template: '{{nope}}' }], message: 'x' } })) as CallToolResult;
  assert.equal(bad.isError, true);
  assert.match(textOf(bad), /unknown placeholder '\{\{nope\}\}'/);
  assert.equal((await g.api('GET', '/api/v1/pipelines')).body.length, 2);
});
