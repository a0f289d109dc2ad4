// The session kind without a server: given the events of a session (folded by XState's pure `transition()`), when a
// command, then the events decideSession appends or its rejection; and what decide accepts the fold takes (the
// guards and decide share session-rules.ts), with the effect the machine asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { isRejection, type Decision } from '../../src/actors/actor-kind.js';
import { sessionMachine, type SessionEffect, type SessionMachineEvent } from '../../src/sessions/session-machine.js';
import { decideSession, type SessionCommand } from '../../src/sessions/session-decide.js';
import type { BudgetBreach } from '../../src/usage/budgets.js';

type State = SnapshotFrom<typeof sessionMachine>;

let position = 0;
function given(...events: SessionMachineEvent[]): State {
  let [state] = initialTransition(sessionMachine);
  for (const e of events) [state] = transition(sessionMachine, state, { ...e, $pos: ++position, $at: 1_000 + position });
  return state;
}

/** Fold the events a decision appended; returns the new state and the effects the machine emitted for them. */
function then(state: State, decision: Decision): { state: State; effects: SessionEffect[] } {
  assert.ok(!isRejection(decision), `expected events, got ${JSON.stringify(decision)}`);
  const effects: SessionEffect[] = [];
  for (const e of decision) {
    const [next, actions] = transition(sessionMachine, state, { type: e.type, ...(e.data as object), $pos: ++position } as SessionMachineEvent);
    state = next;
    for (const a of actions) if ((a.type as string) === 'xstate.emit') effects.push((a.params as unknown as { event: SessionEffect }).event);
  }
  return { state, effects };
}

function rejected(decision: Decision, code: string): void {
  assert.ok(isRejection(decision), `expected a rejection ${code}, got ${JSON.stringify(decision)}`);
  assert.equal(decision.reject, code);
}

const created: SessionMachineEvent = {
  type: 'SessionCreated',
  id: 'demo_1',
  agent: 'demo',
  workspace: '/w',
  workspace_owned: true,
  model: null,
  origin: 'rest',
  mcp_servers: [],
};
const models = { currentModelId: 'demo-fast', availableModels: [{ modelId: 'demo-fast' }, { modelId: 'demo-smart' }] };
const attached: SessionMachineEvent = {
  type: 'AgentAttached',
  process: 'agent:demo:1',
  pid: 1,
  acp_session_id: 'acp-1',
  path: 'new',
  protocol_version: 1,
  agent_capabilities: {},
  agent_info: null,
  auth_methods: [],
  models,
  model: 'demo-fast',
};
const prompt = [{ type: 'text' as const, text: 'hi' }];
const submitted = (turn: number): SessionMachineEvent => ({ type: 'PromptSubmitted', turn, prompt });
const breach: BudgetBreach = { budget: { scope: 'session', name: null, kind: 'max_tokens_per_session', limit: 10 }, usage: 12, resets_at: null };
const cmd = (c: SessionCommand) => c;

test('prompt: an idle session appends the next turn and the machine asks for it to run', () => {
  const idle = given(created, attached);
  const decision = decideSession(cmd({ type: 'prompt', prompt, overBudget: null }), idle);
  assert.deepEqual(decision, [{ type: 'PromptSubmitted', data: { turn: 1, prompt } }]);
  const { state, effects } = then(idle, decision);
  assert.equal(state.value, 'prompting');
  assert.deepEqual(effects, [{ type: 'effect.prompt', turn: 1, prompt }]);
});

test('prompt: refused while a turn runs (session_busy), before the agent is attached, and once closed or failed (session_closed)', () => {
  rejected(decideSession(cmd({ type: 'prompt', prompt, overBudget: null }), given(created, attached, submitted(1))), 'session_busy');
  rejected(decideSession(cmd({ type: 'prompt', prompt, overBudget: null }), given(created)), 'session_busy');
  rejected(decideSession(cmd({ type: 'prompt', prompt, overBudget: null }), given(created, attached, { type: 'SessionClosed', reason: 'client' })), 'session_closed');
  rejected(decideSession(cmd({ type: 'prompt', prompt, overBudget: null }), given(created, { type: 'AgentAttachFailed', code: 'spawn_failed', message: 'x' })), 'session_closed');
  // the fold agrees: a PromptSubmitted that is not the next turn, or comes while busy, is not taken
  const busy = given(created, attached, submitted(1));
  assert.equal(transition(sessionMachine, busy, submitted(2))[0].context.turns, 1);
  assert.equal(transition(sessionMachine, given(created, attached), submitted(3))[0].value, 'idle');
});

test('prompt over a budget: the refusal is recorded, no turn starts', () => {
  const idle = given(created, attached);
  const decision = decideSession(cmd({ type: 'prompt', prompt, overBudget: breach }), idle);
  assert.deepEqual(decision, [{ type: 'BudgetExceeded', data: { action: 'prompt_refused', turn: null, ...breach } }]);
  // BudgetExceeded is recorded, not folded: the session stays idle
  assert.equal(idle.value, 'idle');
});

test('cancel: once per turn, a no-op between turns, refused once closed', () => {
  const running = given(created, attached, submitted(1));
  const decision = decideSession(cmd({ type: 'cancel', reason: 'client' }), running);
  assert.deepEqual(decision, [{ type: 'TurnCancelRequested', data: { turn: 1, reason: 'client' } }]);
  const { state, effects } = then(running, decision);
  assert.deepEqual(effects, [{ type: 'effect.cancel', turn: 1, reason: 'client', budget: undefined }]);
  assert.deepEqual(decideSession(cmd({ type: 'cancel', reason: 'mcp' }), state), [], 'a turn is cancelled once');
  assert.deepEqual(decideSession(cmd({ type: 'cancel', reason: 'client' }), given(created, attached)), []);
  rejected(decideSession(cmd({ type: 'cancel', reason: 'client' }), given(created, attached, { type: 'SessionClosed', reason: 'client' })), 'session_closed');
});

test('cancelForBudget: records the breach and cancels that turn only while it runs', () => {
  const running = given(created, attached, submitted(1));
  const decision = decideSession(cmd({ type: 'cancelForBudget', turn: 1, breach }), running);
  assert.deepEqual(decision, [
    { type: 'BudgetExceeded', data: { action: 'turn_cancelled', turn: 1, ...breach } },
    { type: 'TurnCancelRequested', data: { turn: 1, reason: 'budget', budget: 'session max_tokens_per_session (10)' } },
  ]);
  assert.deepEqual(then(running, decision).effects, [{ type: 'effect.cancel', turn: 1, reason: 'budget', budget: 'session max_tokens_per_session (10)' }]);
  assert.deepEqual(decideSession(cmd({ type: 'cancelForBudget', turn: 2, breach }), running), [], 'another turn');
  const ended = given(created, attached, submitted(1), { type: 'TurnEnded', turn: 1, outcome: 'completed', stop_reason: 'end_turn', text: '', error: null });
  assert.deepEqual(decideSession(cmd({ type: 'cancelForBudget', turn: 1, breach }), ended), [], 'the turn ended already');
});

test('close: appends SessionClosed once; the machine asks for the close; closing a closed or failed session is a no-op', () => {
  const idle = given(created, attached);
  const decision = decideSession(cmd({ type: 'close', reason: 'client' }), idle);
  assert.deepEqual(decision, [{ type: 'SessionClosed', data: { reason: 'client' } }]);
  const { state, effects } = then(idle, decision);
  assert.equal(state.value, 'closed');
  assert.deepEqual(effects, [{ type: 'effect.close', reason: 'client' }]);
  assert.deepEqual(decideSession(cmd({ type: 'close', reason: 'client' }), state), []);
  const failed = given(created, attached, { type: 'SessionFailed', code: 'agent_exited', message: 'gone' });
  assert.deepEqual(decideSession(cmd({ type: 'close', reason: 'client' }), failed), []);
});

test('changeModel: the request is appended between turns, for a model the agent offers; the switch is an effect after it', () => {
  const idle = given(created, attached);
  const decision = decideSession(cmd({ type: 'changeModel', model: 'demo-smart' }), idle);
  assert.deepEqual(decision, [{ type: 'ModelChangeRequested', data: { model: 'demo-smart' } }]);
  const { state, effects } = then(idle, decision);
  assert.equal(effects.length, 1);
  const [effect] = effects;
  assert.equal(effect!.type, 'effect.changeModel');
  assert.equal(effect!.type === 'effect.changeModel' && effect.model, 'demo-smart');
  assert.equal(state.context.model, 'demo-fast', 'the model changes with ModelChanged, the outcome, not with the request');
  assert.equal(transition(sessionMachine, state, { type: 'ModelChanged', model: 'demo-smart', via: 'set_model', request: 1 })[0].context.model, 'demo-smart');

  const busy = decideSession(cmd({ type: 'changeModel', model: 'demo-smart' }), given(created, attached, submitted(1)));
  rejected(busy, 'session_busy');
  assert.match((busy as { message: string }).message, /change the model between turns/);
  rejected(decideSession(cmd({ type: 'changeModel', model: 'gpt-17' }), idle), 'unknown_model');
  const noSelection = given(created, { ...attached, models: undefined } as SessionMachineEvent);
  rejected(decideSession(cmd({ type: 'changeModel', model: 'demo-smart' }), noSelection), 'model_not_supported');
  rejected(decideSession(cmd({ type: 'changeModel', model: 'demo-smart' }), given(created, attached, { type: 'SessionClosed', reason: 'x' })), 'session_closed');
});

test('decidePermission: only a pending approval, with an option the agent offered; the machine answers the agent', () => {
  const asked = given(created, attached, submitted(1), {
    type: 'PermissionRequested',
    approval_id: 'ap_1',
    turn: 1,
    method: 'session/request_permission',
    tool_call: { toolCallId: 't1', title: 'run ls' },
    options: [
      { optionId: 'yes', kind: 'allow_once' },
      { optionId: 'no', kind: 'reject_once' },
    ],
    policy: 'ask',
    policy_source: 'default',
    deadline: null,
  });
  const decision = decideSession(cmd({ type: 'decidePermission', approval_id: 'ap_1', decision: 'allow_once', decided_by: 'alice', reason: 'ok' }), asked);
  assert.deepEqual(decision, [{ type: 'PermissionDecided', data: { approval_id: 'ap_1', decision: 'allow_once', option_id: 'yes', decided_by: 'alice', reason: 'ok' } }]);
  const { state, effects } = then(asked, decision);
  assert.deepEqual(effects, [
    { type: 'timer.clear', timerId: 'approval:ap_1' },
    { type: 'effect.answerPermission', approval_id: 'ap_1', decision: 'allow_once', option_id: 'yes' },
  ]);
  rejected(decideSession(cmd({ type: 'decidePermission', approval_id: 'ap_1', decision: 'reject_once', decided_by: 'bob' }), state), 'approval_already_decided');
});

test('fail: an open session fails once', () => {
  const idle = given(created, attached);
  const decision = decideSession(cmd({ type: 'fail', code: 'agent_failed', message: 'gave up' }), idle);
  assert.deepEqual(decision, [{ type: 'SessionFailed', data: { code: 'agent_failed', message: 'gave up' } }]);
  const { state, effects } = then(idle, decision);
  assert.equal(state.value, 'failed');
  assert.deepEqual(effects, [{ type: 'effect.close', reason: 'failed' }]);
  assert.deepEqual(decideSession(cmd({ type: 'fail', code: 'x', message: 'y' }), state), []);
});

test('SessionCreated keeps its log position (where a client following the session from its start begins)', () => {
  position = 40;
  assert.equal(given(created).context.createdPosition, 41);
});
