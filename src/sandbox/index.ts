// Sandboxes of agents, as the gateway hands them to sessions.
import { auditKeyFile, findAgent, type AintegrixConfig } from '../config/index.js';
import { protectedDirs } from '../config/workspace-paths.js';
import { AgentSandbox } from './agent-sandbox.js';

export { AgentSandbox, SandboxUnavailableError } from './agent-sandbox.js';

export interface SandboxFactoryOptions {
  config: AintegrixConfig;
  /** the gateway's environment: bwrap is looked up on its PATH */
  gatewayEnv: Record<string, string | undefined>;
  /** the environment of each agent (its PATH finds the agent's command) */
  agentEnv(agent: string): Record<string, string>;
  /** files holding secrets (the config file, the API key file; the audit key is added here): never visible inside */
  secretFiles: readonly string[];
}

/** session → the sandbox its agent runs in, or undefined for agents with `sandbox: none`. */
export function sandboxFactory(o: SandboxFactoryOptions) {
  const hiddenDirs = [...protectedDirs(o.config).map((d) => d.path), o.config.workspaces.dir];
  const hiddenFiles = [...o.secretFiles, auditKeyFile(o.config)];
  return (ctx: { agent: string; workspace: string }): AgentSandbox | undefined => {
    const agent = findAgent(o.config, ctx.agent);
    if (!agent || agent.sandbox.type === 'none') return undefined;
    return new AgentSandbox({
      agent: ctx.agent,
      config: agent.sandbox,
      command: agent.command,
      args: agent.args,
      workspace: ctx.workspace,
      configuredHome: agent.env.HOME,
      homesDir: o.config.workspaces.homes_dir,
      hiddenDirs,
      hiddenFiles,
      gatewayPath: o.gatewayEnv.PATH,
      agentPath: o.agentEnv(ctx.agent).PATH,
    });
  };
}
