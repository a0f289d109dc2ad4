// The agent-process actor owns its lifecycle, append before act: given events → when command → then events through
// XState's pure transition() and the kind's decider (no server), and in a real gateway the request of every start
// and stop precedes its outcome on the process stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition, type EventObject } from 'xstate';
import { isRejection } from '../../src/actors/actor-kind.js';
import { decideAgentProcess } from '../../src/agents/agent-process-kind.js';
import { agentProcessMachine, type AgentProcessEvent } from '../../src/agents/agent-process-machine.js';
import { says, startTestGateway } from '../helpers/gateway.js';

const request = { agent: 'demo', session: 'demo_1', command: 'node', args: ['agent.js'], restart: 2 };

/** The folded state, and what the last event emitted (the effects a live actor would hand to their handlers). */
function given(events: AgentProcessEvent[]) {
  let [state] = initialTransition(agentProcessMachine);
  let emitted: EventObject[] = [];
  for (const e of events) {
    const [next, actions] = transition(agentProcessMachine, state, e);
    state = next;
    emitted = (actions as { type: string; params?: unknown }[]).filter((a) => a.type === 'xstate.emit').map((a) => (a.params as { event: EventObject }).event);
  }
  return { state, emitted };
}

test('a process is started only as the effect of its committed request, and stopped as the effect of a stop request', () => {
  const asked = given([{ type: 'AgentProcessRequested', ...request }]);
  assert.equal(asked.state.value, 'requested');
  assert.deepEqual(asked.emitted, [{ type: 'effect.spawn' }], 'the request asks for the spawn');
  assert.equal(asked.state.context.restart, 2);
  // a stop before the process runs is refused (nothing is appended)
  const early = decideAgentProcess({ type: 'stop', reason: 'close', graceMs: 100 }, asked.state);
  assert.ok(isRejection(early) && early.reject === 'process_not_running');

  const running = given([{ type: 'AgentProcessRequested', ...request }, { type: 'AgentProcessSpawned', ...request, pid: 42 }, { type: 'AgentProcessInitialized', agent_capabilities: {} }]);
  assert.equal(running.state.value, 'ready');
  assert.equal(running.state.context.pid, 42);
  const stop = decideAgentProcess({ type: 'stop', reason: 'timeout_restart', graceMs: 250.4 }, running.state);
  assert.deepEqual(stop, [{ type: 'AgentProcessStopRequested', data: { reason: 'timeout_restart', grace_ms: 250 } }]);

  const stopping = given([
    { type: 'AgentProcessRequested', ...request },
    { type: 'AgentProcessSpawned', ...request, pid: 42 },
    { type: 'AgentProcessStopRequested', reason: 'timeout_restart', grace_ms: 250 },
  ]);
  assert.equal(stopping.state.value, 'stopping');
  assert.deepEqual(stopping.emitted, [{ type: 'effect.stop', reason: 'timeout_restart', grace_ms: 250 }]);
  assert.deepEqual(decideAgentProcess({ type: 'stop', reason: 'close', graceMs: 100 }, stopping.state), [], 'asked once: a second stop is a no-op');

  const exited = given([
    { type: 'AgentProcessRequested', ...request },
    { type: 'AgentProcessSpawned', ...request, pid: 42 },
    { type: 'AgentProcessExited', code: 0, signal: null, stderr_tail: '', requested: true },
  ]);
  assert.equal(exited.state.status, 'done');
  assert.ok(isRejection(decideAgentProcess({ type: 'stop', reason: 'close', graceMs: 100 }, exited.state)));

  const failed = given([{ type: 'AgentProcessRequested', ...request }, { type: 'AgentProcessSpawnFailed', message: 'ENOENT' }]);
  assert.equal(failed.state.value, 'failed');
  assert.equal(failed.state.status, 'done');

  // a stream written before requests existed begins with AgentProcessSpawned
  const old = given([{ type: 'AgentProcessSpawned', ...request, pid: 7 }]);
  assert.equal(old.state.value, 'spawned');
  assert.deepEqual(old.emitted, []);
});

test('in a gateway: each process stream is request → spawned → … → stop request → exited, in that order', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('hello'))).status, 200);
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${id}`)).status, 204);
  const streams = g.gw.store.listStreams('agent:demo:');
  assert.equal(streams.length, 1);
  const types = g.gw.store.readStream(streams[0]!.streamId).map((e) => e.type);
  assert.deepEqual(
    types.filter((t) => t !== 'ClientCallRefused'),
    ['AgentProcessRequested', 'AgentProcessSpawned', 'AgentProcessInitialized', 'AgentProcessStopRequested', 'AgentProcessExited'],
  );
  const stop = g.gw.store.readStream(streams[0]!.streamId).find((e) => e.type === 'AgentProcessStopRequested')!;
  assert.equal((stop.data as { reason: string }).reason, 'close');
});
