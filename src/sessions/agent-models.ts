// Which models a live agent session offers and how to switch between them. ACP's stable way is a `model` config
// option (`session/set_config_option`); agents on npm still return the legacy `models` and implement
// `session/set_model` (acp-protocol.md §1.3). We prefer the config option and fall back to set_model.
import { Rejected } from '../errors/rejection.js';
import type { Rejection } from '../actors/actor-kind.js';
import { errorText, rpcCode } from './attach-error.js';

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

/**
 * Whether the agent, as it last reported, can switch to `model` (pure: decideSession asks it before a change is
 * recorded, switchModel again against the attached agent).
 */
export function modelRefusal(ctx: { agent: string; models: unknown; configOptions: unknown }, model: string): Rejection | null {
  const choice = modelChoice(ctx.models, ctx.configOptions);
  if (!choice.via) return { reject: 'model_not_supported', message: `agent '${ctx.agent}' offers no model selection` };
  if (choice.available.length > 0 && !choice.available.includes(model)) {
    return { reject: 'unknown_model', message: `agent '${ctx.agent}' does not know model '${model}' (it offers: ${choice.available.join(', ')})` };
  }
  return null;
}

/** Switch a live agent session's model through whichever method the agent offers (Rejected for what it cannot do). */
export async function switchModel(
  request: (method: string, params: unknown) => Promise<unknown>,
  ctx: { agent: string; acpSessionId: string | null; models: unknown; configOptions: unknown },
  model: string,
): Promise<{ via: 'set_model' | 'set_config_option' }> {
  const refused = modelRefusal(ctx, model);
  if (refused) throw Rejected.from(refused);
  const req = setModelRequest(modelChoice(ctx.models, ctx.configOptions), ctx.acpSessionId!, model)!;
  try {
    await request(req.method, req.params);
  } catch (e) {
    if (rpcCode(e) === -32602) throw new Rejected('unknown_model', `the agent refused model '${model}': ${errorText(e)}`);
    throw new Rejected('set_model_failed', `${req.method} failed: ${errorText(e)}`);
  }
  return { via: req.method === 'session/set_model' ? 'set_model' : 'set_config_option' };
}
