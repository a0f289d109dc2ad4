// The pipeline kind without a server: given events (folded with XState's pure transition), when a command, then the
// events decide answers, or a rejection; the effects the fold emits; and the templates' placeholder rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition } from 'xstate';
import { isRejection } from '../../src/actors/actor-kind.js';
import { pipelineMachine, type PipelineEvent } from '../../src/pipelines/pipeline-machine.js';
import { decidePipeline, type PipelineCommand, type StepOutcome } from '../../src/pipelines/pipeline-decide.js';
import { checkTemplate, renderTemplate } from '../../src/pipelines/pipeline-template.js';
import { Rejected } from '../../src/errors/rejection.js';

const started: PipelineEvent = {
  type: 'PipelineStarted',
  id: 'pl_1',
  input: 'in',
  workspace: '/w',
  workspace_owned: true,
  steps: [
    { agent: 'a', prompt_template: null, model: null },
    { agent: 'b', prompt_template: 'x {{previous}}', model: null },
  ],
};

function fold(events: PipelineEvent[]) {
  let [state] = initialTransition(pipelineMachine);
  const effects: unknown[] = [];
  for (const e of events) {
    const [next, actions] = transition(pipelineMachine, state, e);
    state = next;
    // emitted effects come back as `xstate.emit` actions (data only: nothing runs in a pure transition)
    for (const a of actions as { type: string; params?: unknown }[]) if (a.type === 'xstate.emit') effects.push((a.params as { event: unknown }).event);
  }
  return { state, effects };
}

/** decide, then fold what it appended: the data as the event's fields */
function when(events: PipelineEvent[], command: PipelineCommand) {
  const { state } = fold(events);
  const d = decidePipeline(command, state);
  if (isRejection(d)) return { rejected: d.reject, events: [] as PipelineEvent[] };
  return { rejected: undefined, events: d.map((e) => ({ type: e.type, ...(e.data as object) }) as PipelineEvent) };
}

const ok = (step: number, text: string): StepOutcome => ({ step, session_id: `s${step}`, status: 'completed', outcome: 'completed', stop_reason: 'end_turn', text, usage: null, duration_ms: 5, error: null });
const stepStarted = (step: number): PipelineEvent => ({ type: 'StepStarted', step, agent: step === 1 ? 'a' : 'b', session_id: `s${step}`, prompt: 'p' });

test('started → run step 1; a completed step → the next; the last step ends the run completed', () => {
  assert.deepEqual(fold([started]).effects, [{ type: 'pipeline.runStep', step: 1 }]);
  const s1 = when([started, stepStarted(1)], { type: 'stepEnded', result: ok(1, 'one') });
  assert.deepEqual(s1.events.map((e) => e.type), ['StepEnded']);
  const after1 = fold([started, stepStarted(1), ...s1.events]);
  assert.deepEqual(after1.effects.at(-1), { type: 'pipeline.runStep', step: 2 });
  const history = [started, stepStarted(1), ...s1.events, stepStarted(2)];
  const s2 = when(history, { type: 'stepEnded', result: ok(2, 'two') });
  assert.deepEqual(s2.events.map((e) => e.type), ['StepEnded', 'PipelineEnded']);
  const end = fold([...history, ...s2.events]);
  assert.equal(end.state.value, 'ended');
  assert.equal(end.state.context.finalStatus, 'completed');
  assert.equal(end.effects.filter((e) => (e as { type: string }).type === 'pipeline.runStep').length, 2, 'no third step');
  assert.equal(when([...history, ...s2.events], { type: 'resume' }).rejected, 'not_resumable');
});

test('a failed step ends the run failed and skips the rest; a step cannot start out of order', () => {
  const failed = when([started, stepStarted(1)], { type: 'stepEnded', result: { ...ok(1, ''), status: 'failed', error: { code: 'agent_failed', message: 'boom' } } });
  assert.deepEqual(failed.events.map((e) => e.type), ['StepEnded', 'PipelineEnded']);
  const end = fold([started, stepStarted(1), ...failed.events]);
  assert.equal(end.state.context.finalStatus, 'failed');
  assert.deepEqual(end.state.context.steps.map((s) => s.status), ['failed', 'skipped']);
  assert.equal(when([started], { type: 'stepStarted', step: 2, agent: 'b', session_id: 's', prompt: 'p' }).rejected, 'pipeline_not_running');
});

test('interrupt (boot) → the running step interrupted, the run interrupted; resume runs from that step; delete cancels', () => {
  const running = [started, stepStarted(1), ...when([started, stepStarted(1)], { type: 'stepEnded', result: ok(1, 'one') }).events, stepStarted(2)];
  const interrupted = when(running, { type: 'interrupt', reason: 'restart' });
  assert.deepEqual(interrupted.events.map((e) => e.type), ['StepEnded', 'PipelineEnded']);
  const after = [...running, ...interrupted.events];
  const f = fold(after);
  assert.equal(f.state.context.finalStatus, 'interrupted');
  assert.equal(f.state.context.interruptedStep, 2);
  assert.deepEqual(when(after, { type: 'interrupt', reason: 'again' }).events, [], 'an ended run is left alone');
  const resumed = when(after, { type: 'resume' });
  assert.deepEqual(resumed.events, [{ type: 'PipelineResumed', from_step: 2 }]);
  const r = fold([...after, ...resumed.events]);
  assert.equal(r.state.value, 'running');
  assert.deepEqual(r.effects.at(-1), { type: 'pipeline.runStep', step: 2 });
  assert.equal(r.state.context.steps[0]!.text, 'one', 'the completed step keeps its answer');
  const deleted = when([...after, ...resumed.events, stepStarted(2)], { type: 'delete' });
  assert.deepEqual(deleted.events, [{ type: 'PipelineDeleted', cancelled_step: 2, run_cancelled: true }]);
  const d = fold([...after, ...resumed.events, stepStarted(2), ...deleted.events]);
  assert.deepEqual(d.effects.slice(-2), [{ type: 'pipeline.cancel', step: 2, session_id: 's2' }, { type: 'pipeline.removeWorkspace', workspace: '/w' }]);
  assert.equal(d.state.context.finalStatus, 'cancelled');
  // the cancelled step still records its end, and nothing else
  const cancelledEnd = when([...after, ...resumed.events, stepStarted(2), ...deleted.events], { type: 'stepEnded', result: { ...ok(2, ''), status: 'cancelled' } });
  assert.deepEqual(cancelledEnd.events.map((e) => e.type), ['StepEnded']);
  assert.equal(when([...after, ...resumed.events, stepStarted(2), ...deleted.events], { type: 'resume' }).rejected, 'pipeline_deleted');
});

test('templates: known placeholders are filled once (an answer holding {{input}} stays as it is); unknown ones are refused', () => {
  assert.equal(renderTemplate(null, 1, 'in', []), 'in');
  assert.equal(renderTemplate(null, 2, 'in', ['one']), 'one');
  assert.equal(renderTemplate('{{ input }}|{{previous}}|{{steps.1.text}}', 3, 'in', ['one {{input}}', 'two']), 'in|two|one {{input}}');
  assert.equal(renderTemplate('{{previous}}', 1, 'in', []), 'in');
  for (const [t, step] of [['{{prev}}', 2], ['{{steps.2.text}}', 2], ['{{steps.0.text}}', 3], ['{{steps.1}}', 2], ['{{}}', 1]] as const) {
    assert.throws(() => checkTemplate(t, step), (e: unknown) => e instanceof Rejected && e.code === 'unknown_placeholder' && e.message.includes(t), t);
  }
  checkTemplate('{{input}} {{previous}} {{steps.1.text}} {not one} { {x} }', 2);
});
