// Models and modes the demo agent offers, in the three shapes real agents use side by side: legacy `models`
// (claude-agent-acp still returns it and implements session/set_model), `modes`, and `configOptions`.
import type { SessionConfigOption, SessionModeState } from '@agentclientprotocol/sdk/unstable';
import type { DemoAgentOptions } from './options.js';

export const MODELS = [
  { modelId: 'demo-fast', name: 'Demo fast' },
  { modelId: 'demo-smart', name: 'Demo smart' },
] as const;

export const MODES = [
  { id: 'default', name: 'Default' },
  { id: 'plan', name: 'Plan' },
] as const;

export const DEFAULT_MODEL_ID = MODELS[0].modelId;
export const DEFAULT_MODE_ID = MODES[0].id;

/** `NewSessionResponse.models`, removed from the ACP schema in June 2026 but still sent by real agents. */
export interface LegacyModelState {
  currentModelId: string;
  availableModels: Array<{ modelId: string; name: string }>;
}

export function isKnownModel(modelId: string): boolean {
  return MODELS.some((m) => m.modelId === modelId);
}

export function isKnownMode(modeId: string): boolean {
  return MODES.some((m) => m.id === modeId);
}

export function modeState(currentModeId: string): SessionModeState {
  return { currentModeId, availableModes: MODES.map((m) => ({ ...m })) };
}

export function configOptions(modelId: string, modeId: string): SessionConfigOption[] {
  return [
    {
      id: 'model',
      name: 'Model',
      category: 'model',
      type: 'select',
      currentValue: modelId,
      options: MODELS.map((m) => ({ value: m.modelId, name: m.name })),
    },
    {
      id: 'mode',
      name: 'Mode',
      category: 'mode',
      type: 'select',
      currentValue: modeId,
      options: MODES.map((m) => ({ value: m.id, name: m.name })),
    },
  ];
}

/** The session-state part shared by session/new, load, resume and fork responses, per enabled capabilities. */
export interface SessionStateFields {
  modes: SessionModeState;
  configOptions?: SessionConfigOption[];
  models?: LegacyModelState;
}

export function sessionStateFields(
  options: DemoAgentOptions,
  state: { modelId: string; modeId: string },
): SessionStateFields {
  const fields: SessionStateFields = { modes: modeState(state.modeId) };
  if (options.configOptions) fields.configOptions = configOptions(state.modelId, state.modeId);
  if (options.setModel) {
    fields.models = { currentModelId: state.modelId, availableModels: MODELS.map((m) => ({ ...m })) };
  }
  return fields;
}
