// Which configured agent an `/acp` request speaks to: `/acp/{agent}`, else `?agent=`, else the first agent of the
// config (the default). undefined when the named agent is not configured.
import type { AintegrixConfig } from '../config/index.js';
import { findAgent } from '../config/agent-lookup.js';

export function endpointAgent(config: AintegrixConfig, named: string | undefined): string | undefined {
  if (named !== undefined) return findAgent(config, named) ? named : undefined;
  return Object.keys(config.agents)[0];
}
