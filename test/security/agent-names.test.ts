// Agent names that are Object.prototype's own keys (`constructor`, `__proto__`, `toString`, `hasOwnProperty`...)
// once reached the agent config through a plain-object lookup: a 500, max_sessions bypassed, failed sessions left in
// the log. On every route that takes an agent name they are now an unknown agent: a clean 4xx, nothing created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../helpers/gateway.js';
import { callTool } from '../mcp/helpers.js';

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

test('prototype key names as agents: 4xx on REST, the SSE create route, the models route and MCP; nothing is created', async (t) => {
  // max_sessions 1 for the real agent: a name that slipped through would also show as a bypass of the cap
  const g = await startTestGateway({ agents: { demo: { max_sessions: 1 } } });
  t.after(() => g.dispose());
  const say = { messages: [{ type: 'text', text: 'hi' }] };
  for (const name of NAMES) {
    const created = await g.api('POST', '/api/v1/sessions', { agent: name });
    assert.equal(created.status, 404, `POST /sessions ${name}: ${JSON.stringify(created.body)}`);
    assert.equal(created.body.error.code, 'agent_not_found');

    const streamed = await g.api('POST', '/api/v1/stream', { agent: name, ...say });
    assert.equal(streamed.status, 404, `POST /stream ${name}: ${JSON.stringify(streamed.body)}`);
    assert.equal(streamed.body.error.code, 'agent_not_found');

    const models = await g.api('GET', `/api/v1/agents/${encodeURIComponent(name)}/models`);
    assert.equal(models.status, 404, `GET /agents/${name}/models: ${JSON.stringify(models.body)}`);
    assert.equal(models.body.error.code, 'agent_not_found');

    const mcp = await callTool(g, 'acp_create_session', { agent: name });
    assert.equal(mcp.status, 200);
    assert.equal(mcp.body.result.isError, true, `MCP ${name}: ${JSON.stringify(mcp.body)}`);
    assert.match(mcp.body.result.content[0].text, new RegExp(`^Error: agent '${name}' not found`));
  }
  assert.deepEqual((await g.api('GET', '/api/v1/sessions')).body, [], 'no session was created');
  assert.deepEqual(g.gw.store.listStreams('session:'), [], 'no session stream in the log');
  assert.deepEqual(g.gw.store.listStreams('agent:'), [], 'no agent process was started');
  // the real agent still has its one slot
  assert.equal((await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).status, 201);
  assert.equal((await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).status, 429);
});
