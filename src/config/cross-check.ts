// Checks that span several keys, run after the schema: every agent named by routing exists, token names and
// tokens are unique (and "api-key" is reserved for AINTEGRIX_API_KEY), MCP server names are unique per agent.
import type { ConfigProblem } from './errors.js';
import type { AintegrixConfig } from './schema.js';
import { checkWorkspacePaths } from './workspace-paths.js';

/** The token name under which resolveAuthTokens exposes AINTEGRIX_API_KEY. */
export const API_KEY_TOKEN_NAME = 'api-key';

export function crossCheck(config: AintegrixConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const agents = Object.keys(config.agents);
  const unknownAgent = (name: string): string =>
    `unknown agent "${name}" (${agents.length === 0 ? 'no agents are configured' : `configured agents: ${agents.join(', ')}`})`;

  config.routing.rules.forEach((rule, i) => {
    if (!Object.hasOwn(config.agents, rule.agent)) problems.push({ path: ['routing', 'rules', i, 'agent'], message: unknownAgent(rule.agent) });
  });
  const fallback = config.routing.fallback;
  if (fallback !== undefined && !Object.hasOwn(config.agents, fallback)) {
    problems.push({ path: ['routing', 'fallback'], message: unknownAgent(fallback) });
  }

  const names = new Map<string, number>();
  const tokens = new Map<string, number>();
  config.auth.tokens.forEach((t, i) => {
    if (t.name === API_KEY_TOKEN_NAME) {
      problems.push({ path: ['auth', 'tokens', i, 'name'], message: `"${API_KEY_TOKEN_NAME}" is reserved for the AINTEGRIX_API_KEY environment variable` });
    }
    const sameName = names.get(t.name);
    if (sameName !== undefined) {
      problems.push({ path: ['auth', 'tokens', i, 'name'], message: `duplicate token name "${t.name}" (also auth.tokens[${sameName}])` });
    } else names.set(t.name, i);
    const sameToken = tokens.get(t.token);
    if (sameToken !== undefined) {
      problems.push({ path: ['auth', 'tokens', i, 'token'], message: `same token as auth.tokens[${sameToken}] (each token must identify one caller)` });
    } else tokens.set(t.token, i);
  });

  for (const [agent, cfg] of Object.entries(config.agents)) {
    const seen = new Set<string>();
    cfg.mcp_servers.forEach((s, i) => {
      if (seen.has(s.name)) problems.push({ path: ['agents', agent, 'mcp_servers', i, 'name'], message: `duplicate MCP server name "${s.name}"` });
      seen.add(s.name);
    });
  }
  const reviewer = config.webhooks.review_agent;
  if (reviewer !== undefined && !Object.hasOwn(config.agents, reviewer)) problems.push({ path: ['webhooks', 'review_agent'], message: unknownAgent(reviewer) });
  if (config.webhooks.gitlab.token !== undefined && config.webhooks.gitlab.url === undefined) {
    problems.push({ path: ['webhooks', 'gitlab', 'url'], message: 'required with webhooks.gitlab.token: the token is sent to this URL only' });
  }
  for (const agent of Object.keys(config.budgets.agents)) {
    if (!Object.hasOwn(config.agents, agent)) problems.push({ path: ['budgets', 'agents', agent], message: unknownAgent(agent) });
  }
  if (config.cluster !== undefined && config.store.kind !== 'postgres') {
    problems.push({ path: ['cluster'], message: `only meaningful with store.kind: postgres (this store is ${config.store.kind}: one node, no cluster)` });
  }
  problems.push(...checkWorkspacePaths(config));
  return problems;
}
