// The sandbox of one session's agent: the agent process and every terminal the gateway starts for it run under
// the same bubblewrap profile (see bwrap-args.ts), so a command the agent asks the gateway to run cannot reach what
// the agent itself cannot (the gateway's /proc/<pid>/environ, the data dir, other sessions' workspaces).
// A configured sandbox that cannot be set up refuses the spawn: an agent is never run unsandboxed by accident.
import { existsSync } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxConfig } from '../config/index.js';
import type { SpawnSpec } from '../workspace/terminal-manager.js';
import { isWithin } from '../config/workspace-paths.js';
import { bwrapArgs, MASKED_SYSTEM_FILES, SYSTEM_READ_ONLY, type BwrapPlan } from './bwrap-args.js';
import { commandReadOnlyRoots, findExecutable } from './bind-roots.js';
import { AGENT_INIT } from './stop-inside.js';

export class SandboxUnavailableError extends Error {}

export interface AgentSandboxOptions {
  agent: string;
  config: SandboxConfig;
  /** the agent's configured command and args (what it needs read-only) */
  command: string;
  args: readonly string[];
  /** the real path of the session workspace */
  workspace: string;
  /** the agent's env.HOME when configured, else undefined (a home in homesDir is used) */
  configuredHome: string | undefined;
  homesDir: string;
  /** the gateway's own directories and files: never visible inside */
  hiddenDirs: readonly string[];
  hiddenFiles: readonly string[];
  /** PATH on which bwrap is looked up (the gateway's) */
  gatewayPath: string | undefined;
  /** the agent's PATH, on which its command is looked up */
  agentPath: string | undefined;
}

export class AgentSandbox {
  private plan: Promise<{ bwrap: string; plan: BwrapPlan }> | undefined;

  constructor(private readonly o: AgentSandboxOptions) {}

  /** The agent's home inside the sandbox: its env.HOME, or a private one the gateway creates per agent. */
  get home(): string {
    return this.o.configuredHome ?? join(this.o.homesDir, this.o.agent);
  }

  /** The environment of a process in the sandbox: HOME is the agent's home, temporary files go to the private /tmp. */
  env(base: Record<string, string>): Record<string, string> {
    return { ...base, HOME: this.home, TMPDIR: '/tmp' };
  }

  /** `spec` run inside the sandbox. Throws SandboxUnavailableError when bwrap is missing or the plan cannot be made. */
  async wrap(spec: SpawnSpec): Promise<SpawnSpec> {
    const { bwrap, plan } = await this.prepared();
    return { file: bwrap, args: [...bwrapArgs(plan, spec.cwd), '--', spec.file, ...spec.args], cwd: spec.cwd, env: spec.env };
  }

  /** The command line the agent itself is started with (its executable resolved, bound and run by real path). */
  async wrapAgent(env: Record<string, string>, cwd: string): Promise<SpawnSpec> {
    const exe = await findExecutable(this.o.command, this.o.agentPath);
    if (exe === undefined) throw new SandboxUnavailableError(`cannot start ${this.o.command}: not found on the agent's PATH`);
    return this.wrap({ file: '/bin/sh', args: ['-c', AGENT_INIT, 'aintegrix-agent', await realpath(exe), ...this.o.args], cwd, env });
  }

  private prepared(): Promise<{ bwrap: string; plan: BwrapPlan }> {
    // a failure is not kept: installing bubblewrap makes the next attempt work
    this.plan ??= this.makePlan().catch((e: unknown) => {
      this.plan = undefined;
      throw e;
    });
    return this.plan;
  }

  private async makePlan(): Promise<{ bwrap: string; plan: BwrapPlan }> {
    const o = this.o;
    const bwrap = await findExecutable('bwrap', o.gatewayPath);
    if (bwrap === undefined) {
      throw new SandboxUnavailableError(
        `agent '${o.agent}' is configured with sandbox: bwrap, but bwrap (bubblewrap) is not installed on the gateway's PATH; ` +
          'install it (apt-get install bubblewrap); the agent is never run unsandboxed',
      );
    }
    await mkdir(this.home, { recursive: true, mode: 0o700 }); // a bind needs its source
    // a folder made later (workspaces.dir at the first session that gets one) would show through a recursive bind
    // without its cover: they all exist before the plan
    for (const dir of o.hiddenDirs) await mkdir(dir, { recursive: true, mode: 0o700 });
    const exe = await findExecutable(o.command, o.agentPath);
    if (exe === undefined) throw new SandboxUnavailableError(`cannot start ${o.command}: not found on the agent's PATH`);
    // DNS: /etc/resolv.conf is often a symlink into /run, which is not bound
    const resolv = await realpath('/etc/resolv.conf').catch(() => undefined);
    const readOnly = [...(await commandReadOnlyRoots(exe, o.args)), ...o.config.read_only, ...(resolv ? [resolv] : [])].filter(
      (p) => !SYSTEM_READ_ONLY.some((s) => isWithin(p, s)),
    );
    return {
      bwrap,
      plan: {
        readOnly: [...new Set(readOnly)],
        home: await realpath(this.home).catch(() => this.home),
        workspace: o.workspace,
        hiddenDirs: await realPaths(o.hiddenDirs),
        hiddenFiles: await realPaths(o.hiddenFiles),
        maskedFiles: MASKED_SYSTEM_FILES.filter((f) => existsSync(f)),
      },
    };
  }
}

/** Each existing path and, when it differs, its real path (a bind shows the real one); a missing one hides nothing. */
async function realPaths(paths: readonly string[]): Promise<string[]> {
  const all = new Set<string>();
  for (const p of paths) {
    const real = await realpath(p).catch(() => undefined);
    if (real === undefined) continue;
    all.add(p);
    all.add(real);
  }
  return [...all];
}
