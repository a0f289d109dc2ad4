// The session kind's effect handlers, one per effect the machine emits (SessionEffect), each run after the event
// that asked for it is committed. Turns, cancels, permission answers and closes are the LiveSession's work (it
// records their outcomes); the model switch is done here: the request is in the log (ModelChangeRequested), the
// agent is attached if needed and switched, and the outcome is recorded (ModelChanged or ModelChangeFailed), which
// the caller of POST /sessions/{id}/model waits for (session-signals.ts).
import type { EffectHandlers } from '../actors/actor-kind.js';
import { Rejected } from '../errors/rejection.js';
import { AttachError, errorText } from './attach-error.js';
import type { LiveSession, SessionActor } from './live-session.js';
import type { sessionMachine } from './session-machine.js';

export function sessionEffects(liveFor: (actor: SessionActor) => LiveSession): EffectHandlers<typeof sessionMachine> {
  return {
    'effect.prompt': (actor, e) => liveFor(actor).runTurn(e.turn, e.prompt),
    'effect.cancel': (actor, e) => liveFor(actor).cancelTurn(e.turn, e.reason, e.budget),
    'effect.answerPermission': (actor, e) => liveFor(actor).answerPermission(e.approval_id, e.option_id),
    'effect.close': (actor, e) => liveFor(actor).close(e.reason),
    'effect.changeModel': (actor, e) => switchModel(actor, liveFor(actor), e.model, e.request),
  };
}

async function switchModel(actor: SessionActor, session: LiveSession, model: string, request: number): Promise<void> {
  let outcome;
  try {
    await session.ensureAttached('reattach');
    const { via } = await session.changeModel(model);
    outcome = { type: 'ModelChanged', data: { model, via, request } };
  } catch (e) {
    const error = e instanceof AttachError || e instanceof Rejected ? { code: e.code, message: e.message } : { code: 'set_model_failed', message: errorText(e) };
    outcome = { type: 'ModelChangeFailed', data: { model, request, error } };
  }
  await actor.record([outcome], { principal: 'system' });
}
