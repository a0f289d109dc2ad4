// The journaled actor kind of orchestrations (`orchestration:<id>`): the machine (fold), the decider, and the named
// handlers of its effects. Handlers run only after the event that asked for them is committed.
import type { ActorKind, EffectHandlers } from '../actors/actor-kind.js';
import type { JournaledActor } from '../actors/journaled-actor.js';
import type { OrchestrationCommand } from './orchestration-decide.js';
import { decideOrchestration } from './orchestration-decide.js';
import { orchestrationFoldedTypes, orchestrationMachine } from './orchestration-machine.js';

export type OrchestrationActor = JournaledActor<typeof orchestrationMachine>;

export const ORCHESTRATION_MACHINE_VERSION = 'orchestration-1';

export function orchestrationKind(effects: EffectHandlers<typeof orchestrationMachine>): ActorKind<typeof orchestrationMachine, OrchestrationCommand> {
  return {
    streamType: 'orchestration',
    machine: orchestrationMachine,
    machineVersion: ORCHESTRATION_MACHINE_VERSION,
    foldedTypes: orchestrationFoldedTypes,
    snapshotWhen: (s) => s.value === 'ended' || s.status === 'done',
    decide: decideOrchestration,
    effects,
  };
}
