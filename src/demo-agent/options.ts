// Command-line flags and environment variables of the demo agent. Flags win over env, so a test can pin a
// behaviour even when the gateway passes an environment down to every agent it spawns.

/** How sessions survive an agent restart: `resume` = session/resume + session/load, `load` = session/load only. */
export type PersistenceMode = 'resume' | 'load' | 'none';

export interface DemoAgentOptions {
  mode: PersistenceMode;
  fork: boolean;
  list: boolean;
  close: boolean;
  setModel: boolean;
  configOptions: boolean;
  authRequired: boolean;
  /** report usage (usage_update, PromptResponse.usage); off: an agent that reports none */
  usage: boolean;
  /** promptCapabilities.embeddedContext (off: an agent that takes no resource blocks) */
  embeddedContext: boolean;
  /** directory where sessions are persisted as `<sessionId>.json`; null = memory only */
  storeDir: string | null;
}

export const DEFAULT_OPTIONS: Readonly<DemoAgentOptions> = {
  mode: 'resume',
  fork: true,
  list: true,
  close: true,
  setModel: true,
  configOptions: true,
  authRequired: false,
  usage: true,
  embeddedContext: true,
  storeDir: null,
};

/** Boolean switches: flag `--<name>` / `--no-<name>` and env `DEMO_AGENT_<ENV>`. */
const SWITCHES = {
  fork: { flag: 'fork', env: 'DEMO_AGENT_FORK' },
  list: { flag: 'list', env: 'DEMO_AGENT_LIST' },
  close: { flag: 'close', env: 'DEMO_AGENT_CLOSE' },
  setModel: { flag: 'set-model', env: 'DEMO_AGENT_SET_MODEL' },
  configOptions: { flag: 'config-options', env: 'DEMO_AGENT_CONFIG_OPTIONS' },
  authRequired: { flag: 'auth-required', env: 'DEMO_AGENT_AUTH_REQUIRED' },
  usage: { flag: 'usage', env: 'DEMO_AGENT_USAGE' },
  embeddedContext: { flag: 'embedded-context', env: 'DEMO_AGENT_EMBEDDED_CONTEXT' },
} as const satisfies Record<string, { flag: string; env: string }>;

type SwitchName = keyof typeof SWITCHES;

export class OptionsError extends Error {}

export const USAGE = `usage: aintegrix-demo-agent [options]   (speaks ACP as JSON-RPC lines on stdin/stdout)
  --mode resume|load|none   session persistence capabilities (env DEMO_AGENT_MODE, default resume)
  --store DIR               persist sessions as JSON files in DIR (env DEMO_AGENT_STORE)
  --no-fork --no-list --no-close --no-set-model --no-config-options
                            withhold a capability (env DEMO_AGENT_FORK=0 or DEMO_AGENT_NO_FORK=1, likewise
                            _LIST, _CLOSE, _SET_MODEL, _CONFIG_OPTIONS); --fork etc. re-enable
  --no-usage                report no usage at all: no usage_update, no usage in responses (env DEMO_AGENT_USAGE=0)
  --no-embedded-context     no promptCapabilities.embeddedContext (env DEMO_AGENT_EMBEDDED_CONTEXT=0)
  --auth-required           require authenticate(demo-login) before sessions (env DEMO_AGENT_AUTH_REQUIRED=1)
  --help                    print this text
In a session, the prompt /help lists the scripted commands; any other text is echoed.`;

function parseMode(value: string, source: string): PersistenceMode {
  if (value === 'resume' || value === 'load' || value === 'none') return value;
  throw new OptionsError(`${source}: expected resume|load|none, got ${JSON.stringify(value)}`);
}

function parseEnvBoolean(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'yes' || v === 'on') return true;
  if (v === '0' || v === 'false' || v === 'no' || v === 'off' || v === '') return false;
  throw new OptionsError(`${name}: expected a boolean (1/0, true/false), got ${JSON.stringify(value)}`);
}

function fromEnv(env: NodeJS.ProcessEnv): DemoAgentOptions {
  const options: DemoAgentOptions = { ...DEFAULT_OPTIONS };
  if (env.DEMO_AGENT_MODE) options.mode = parseMode(env.DEMO_AGENT_MODE, 'DEMO_AGENT_MODE');
  if (env.DEMO_AGENT_STORE) options.storeDir = env.DEMO_AGENT_STORE;
  for (const name of Object.keys(SWITCHES) as SwitchName[]) {
    const raw = env[SWITCHES[name].env];
    if (raw !== undefined) options[name] = parseEnvBoolean(raw, SWITCHES[name].env);
    // DEMO_AGENT_NO_FORK=1 reads like the --no-fork flag; accept it too.
    const negatedName = SWITCHES[name].env.replace('DEMO_AGENT_', 'DEMO_AGENT_NO_');
    const negated = env[negatedName];
    if (negated !== undefined) options[name] = !parseEnvBoolean(negated, negatedName);
  }
  return options;
}

/** Returns the options, or `'help'` when `--help` was asked for. Throws OptionsError on a bad flag. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoAgentOptions | 'help' {
  const options = fromEnv(env);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined) throw new OptionsError(`${name} needs a value`);
      i++;
      return next;
    };
    if (name === '--mode') {
      options.mode = parseMode(takeValue(), '--mode');
      continue;
    }
    if (name === '--store') {
      options.storeDir = takeValue();
      continue;
    }
    const negated = name.startsWith('--no-');
    const flag = negated ? name.slice(5) : name.slice(2);
    const match = (Object.keys(SWITCHES) as SwitchName[]).find((k) => SWITCHES[k].flag === flag);
    if (!name.startsWith('--') || match === undefined || eq >= 0) throw new OptionsError(`unknown option ${arg}`);
    options[match] = !negated;
  }
  return options;
}
