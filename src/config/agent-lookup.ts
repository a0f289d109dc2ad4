// Agents by name, for names a client sends. `config.agents` is a plain object, so `config.agents['constructor']`
// is Object's constructor, not undefined: a lookup there lets `constructor`, `__proto__`, `toString`... through as
// agents (a 500, max_sessions bypassed, failed sessions left behind). Every lookup by name goes through this Map.
import type { AgentConfig, AintegrixConfig } from './schema.js';

const byConfig = new WeakMap<AintegrixConfig['agents'], ReadonlyMap<string, AgentConfig>>();

/** The configured agents as a Map (built once per config). */
export function agentsByName(config: Pick<AintegrixConfig, 'agents'>): ReadonlyMap<string, AgentConfig> {
  let m = byConfig.get(config.agents);
  if (!m) byConfig.set(config.agents, (m = new Map(Object.entries(config.agents))));
  return m;
}

/** The agent configured under `name` (an own key of `agents`), or undefined. */
export function findAgent(config: Pick<AintegrixConfig, 'agents'>, name: string): AgentConfig | undefined {
  return agentsByName(config).get(name);
}
