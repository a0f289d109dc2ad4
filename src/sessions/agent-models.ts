// Which models a live agent session offers and how to switch between them. ACP's stable way is a `model` config
// option (`session/set_config_option`); agents on npm still return the legacy `models` and implement
// `session/set_model` (acp-protocol.md §1.3). We prefer the config option and fall back to set_model.

export interface ModelChoice {
  /** model ids the agent reported (empty when it reported none) */
  available: string[];
  current: string | null;
  /** how to switch, or null when the agent offers no model selection */
  via: { method: 'session/set_config_option'; configId: string } | { method: 'session/set_model' } | null;
}

interface SelectOption {
  id?: unknown;
  category?: unknown;
  type?: unknown;
  currentValue?: unknown;
  options?: unknown;
}

export function modelChoice(models: unknown, configOptions: unknown): ModelChoice {
  const opt = Array.isArray(configOptions)
    ? (configOptions as SelectOption[]).find((o) => o && o.type === 'select' && (o.category === 'model' || o.id === 'model'))
    : undefined;
  if (opt && typeof opt.id === 'string') {
    return {
      available: flattenOptionValues(opt.options),
      current: typeof opt.currentValue === 'string' ? opt.currentValue : null,
      via: { method: 'session/set_config_option', configId: opt.id },
    };
  }
  const legacy = models as { currentModelId?: unknown; availableModels?: { modelId?: unknown }[] } | null | undefined;
  if (legacy && Array.isArray(legacy.availableModels)) {
    return {
      available: legacy.availableModels.map((m) => m?.modelId).filter((x): x is string => typeof x === 'string'),
      current: typeof legacy.currentModelId === 'string' ? legacy.currentModelId : null,
      via: { method: 'session/set_model' },
    };
  }
  return { available: [], current: null, via: null };
}

function flattenOptionValues(options: unknown): string[] {
  if (!Array.isArray(options)) return [];
  const out: string[] = [];
  for (const o of options as Record<string, unknown>[]) {
    if (typeof o?.value === 'string') out.push(o.value);
    else if (Array.isArray(o?.options)) out.push(...flattenOptionValues(o.options));
  }
  return out;
}

/** The request that switches `acpSessionId` to `model`. */
export function setModelRequest(choice: ModelChoice, acpSessionId: string, model: string): { method: string; params: unknown } | null {
  if (!choice.via) return null;
  if (choice.via.method === 'session/set_config_option') {
    return { method: 'session/set_config_option', params: { sessionId: acpSessionId, configId: choice.via.configId, value: model } };
  }
  return { method: 'session/set_model', params: { sessionId: acpSessionId, modelId: model } };
}
