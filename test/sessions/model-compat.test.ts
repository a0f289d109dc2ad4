// The original accepted any model at creation and only echoed it. For an agent that offers no model selection at all
// (neither a model config option nor session/set_model), a model listed in that agent's configured `models` is
// accepted again: 201 with `model_applied: false`, the reason recorded on the session's AgentAttached event. A model
// neither configured nor offered stays a 400, and an agent that does offer selection still applies (or refuses) it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { says, startTestGateway } from '../helpers/gateway.js';
import { callTool } from '../mcp/helpers.js';

const FIXED = { flags: ['--no-set-model', '--no-config-options'], models: ['house-large', 'house-small'] };

test('no model selection: a configured model is accepted, echoed, not applied, and why is recorded', async (t) => {
  const g = await startTestGateway({ agents: { fixed: FIXED, demo: { models: ['demo-smart'] } } });
  t.after(() => g.dispose());

  const r = await g.api('POST', '/api/v1/sessions', { agent: 'fixed', model: 'house-large' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual({ ...r.body, id: undefined }, { id: undefined, agent: 'fixed', model: 'house-large', status: 'idle', model_applied: false });
  const events = g.gw.store.readStream(`session:${r.body.id}`);
  const attached = events.find((e) => e.type === 'AgentAttached')!.data as { model: string; model_applied: boolean; model_note: string };
  assert.equal(attached.model, 'house-large');
  assert.equal(attached.model_applied, false);
  assert.match(attached.model_note, /offers no model selection.*'house-large' is one of its configured models/);
  const switches = events.filter((e) => e.type === 'AcpMessage' && /set_model|set_config_option/.test(String((e.data as { msg: { method?: string } }).msg.method)));
  assert.deepEqual(switches, [], 'nothing was sent to the agent for the model');
  const detail = (await g.api('GET', `/api/v1/sessions/${r.body.id}`)).body;
  assert.deepEqual([detail.model, detail.model_applied], ['house-large', false]);
  assert.equal((await g.api('POST', `/api/v1/sessions/${r.body.id}/prompt`, says('still works'))).body.text, 'echo: still works');

  // neither configured nor offered: still a 400, and nothing is left running
  const bad = await g.api('POST', '/api/v1/sessions', { agent: 'fixed', model: 'gpt-17' });
  assert.deepEqual([bad.status, bad.body.error.code], [400, 'model_not_supported']);
  // an agent that offers selection applies what it knows and refuses the rest, configured or not
  const applied = await g.api('POST', '/api/v1/sessions', { agent: 'demo', model: 'demo-smart' });
  assert.deepEqual([applied.status, applied.body.model_applied], [201, true]);
  const unknown = await g.api('POST', '/api/v1/sessions', { agent: 'demo', model: 'house-large' });
  assert.deepEqual([unknown.status, unknown.body.error.code], [400, 'unknown_model']);
  assert.equal((await g.api('POST', '/api/v1/sessions', { agent: 'fixed' })).body.model_applied, undefined, 'no model asked, none answered');

  // the original's MCP clients: the same acceptance, the model echoed in the text
  const mcp = (await callTool(g, 'acp_create_session', { agent: 'fixed', model: 'house-small' })).body.result;
  assert.equal(mcp.isError, undefined, JSON.stringify(mcp));
  assert.match(mcp.content[0].text, /^Session created: fixed_\S+ \(agent: fixed, model: house-small\)$/);
});
