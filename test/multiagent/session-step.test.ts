// The shared step helper of pipelines and orchestrations against a real gateway and the bundled agent: a step is an
// ordinary session (listed with its origin, its traffic in the log) prompted once and closed; its result is the
// agent's whole answer as the log recorded it; a failure, an unknown agent and a cancellation are results, not throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../helpers/gateway.js';
import { runSessionStep } from '../../src/multiagent/session-step.js';
import { stepSessions } from '../../src/multiagent/session-port.js';

test('a step runs one turn in an ordinary session, answers the whole text from the log, and closes the session', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const sessions = stepSessions(g.gw);
  const linked: string[] = [];
  const r = await runSessionStep(sessions, {
    origin: 'pipeline',
    agent: 'demo',
    prompt: 'hello there',
    meta: { principal: 'test' },
    onSession: async (id) => void linked.push(id),
  });
  assert.equal(r.status, 'completed', JSON.stringify(r));
  assert.equal(r.stop_reason, 'end_turn');
  assert.equal(r.text, 'echo: hello there');
  assert.ok(r.session_id && linked[0] === r.session_id);
  assert.ok(r.duration_ms >= 0);
  const listed = (await g.api('GET', '/api/v1/sessions')).body.find((s: { id: string }) => s.id === r.session_id);
  assert.equal(listed.origin, 'pipeline');
  assert.equal(listed.status, 'closed');
  const ended = g.gw.store.readStream(`session:${r.session_id}`).find((e) => e.type === 'TurnEnded');
  assert.equal((ended!.data as { text: string }).text, r.text);
});

test('a failing turn, an unknown agent and a cancelled step are results with their reason', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const sessions = stepSessions(g.gw);
  const meta = { principal: 'test' };
  const failed = await runSessionStep(sessions, { origin: 'orchestration', agent: 'demo', prompt: '/fail', meta });
  assert.equal(failed.status, 'failed');
  assert.ok(failed.error?.message.includes('demo failure'), JSON.stringify(failed));
  const unknown = await runSessionStep(sessions, { origin: 'orchestration', agent: 'nope', prompt: 'x', meta });
  assert.equal(unknown.status, 'failed');
  assert.equal(unknown.session_id, null);
  assert.equal(unknown.error?.code, 'agent_not_found');
  const abort = new AbortController();
  const cancelled = runSessionStep(sessions, {
    origin: 'orchestration',
    agent: 'demo',
    prompt: '/slow 30',
    meta,
    onSession: async (id) => {
      // cancel once the agent is streaming
      void (async () => {
        while (!g.gw.store.readStream(`session:${id}`).some((e) => e.type === 'AcpMessage' && e.dataText.includes('agent_message_chunk'))) {
          await new Promise((res) => setTimeout(res, 20));
        }
        abort.abort();
      })();
    },
    signal: abort.signal,
  });
  const c = await cancelled;
  assert.equal(c.status, 'cancelled', JSON.stringify(c));
  assert.equal(c.stop_reason, 'cancelled');
  assert.equal(g.gw.sessions.actor(c.session_id!).snapshot().status, 'done');
});
