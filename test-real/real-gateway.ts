// The gateway with the real claude-agent-acp behind it, configured the way a user would: a YAML file with an agent
// `claude` whose env points the Claude Code CLI at the fake Anthropic API (dummy key, IS_SANDBOX=1 because CI runs as
// root, a private HOME because the CLI keeps its sessions under $HOME/.claude), run in a bubblewrap sandbox
// (`sandbox: bwrap`: it sees its workspace, its HOME, the installed package and the system, not the data dir).
// Loaded by the real config loader.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { startGateway, type Gateway } from '../src/gateway/gateway.js';
import { createLogger, silentLogger } from '../src/log/logger.js';
import type { RecordedEvent } from '../src/store/types.js';

export const TOKEN = 'real-test-token-0123456789abcdef';
const PACKAGE = '@zed-industries/claude-agent-acp';

/** The installed agent's entry (`bin: claude-agent-acp → dist/index.js`), installed by scripts/install-real-agents.mjs. */
export function claudeAcpEntry(): string {
  const dir = process.env.AINTEGRIX_REAL_AGENTS_DIR ?? findUp(join('.cache', 'real-agents'));
  const entry = dir && join(dir, 'node_modules', PACKAGE, 'dist', 'index.js');
  if (!entry || !existsSync(entry)) throw new Error(`${PACKAGE} is not installed: run node scripts/install-real-agents.mjs (or make test-real)`);
  return entry;
}

/** The repository's `rel` folder, found from this compiled file upwards (dist/test-real/ or .build/<x>/test-real/). */
function findUp(rel: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export interface RealSetup {
  /** temp root: config, data, the agents' HOMEs */
  dir: string;
  configPath: string;
  dataDir: string;
  /** HOME of each agent (the CLI keeps its sessions under $HOME/.claude) */
  homes: Record<string, string>;
  dispose(): void;
}

export interface ClaudeConfigOptions {
  /** agent name → base URL of the (fake) Anthropic API it talks to; default one agent `claude` */
  agents: Record<string, string>;
  promptTimeoutSecs?: number;
  /** the permissions block (default: `default: ask` and no rules) */
  permissions?: { default: 'allow' | 'deny' | 'ask'; rules?: Record<string, unknown>[] };
}

/** Writes the config a user would write for claude-agent-acp, in a fresh temp dir. */
export function writeClaudeConfig(o: ClaudeConfigOptions): RealSetup {
  const dir = mkdtempSync(join(tmpdir(), 'aix-real-'));
  const dataDir = join(dir, 'data');
  const homes: Record<string, string> = {};
  for (const name of Object.keys(o.agents)) {
    homes[name] = join(dir, `home-${name}`);
    mkdirSync(homes[name]);
  }
  const configPath = join(dir, 'aintegrix.yaml');
  writeFileSync(configPath, claudeConfigYaml(o, dataDir, homes));
  return { dir, configPath, dataDir, homes, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

function claudeConfigYaml(o: ClaudeConfigOptions, dataDir: string, homes: Record<string, string>): string {
  const agents = Object.entries(o.agents).map(
    ([name, modelUrl]) => `  ${name}:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(claudeAcpEntry())}]
    mode: adapter
    max_sessions: 3
    auto_restart: true
    sandbox: bwrap
    env:
      ANTHROPIC_API_KEY: sk-dummy
      ANTHROPIC_BASE_URL: ${JSON.stringify(modelUrl)}
      IS_SANDBOX: '1'
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1'
      HOME: ${JSON.stringify(homes[name])}
`,
  );
  return `# written by test-real/real-gateway.ts
server:
  host: 127.0.0.1
  port: 0
  prompt_timeout_secs: ${o.promptTimeoutSecs ?? 120}
  init_timeout_secs: 60
  shutdown_timeout_secs: 15

auth:
  tokens:
    - name: tester
      token: ${TOKEN}

store:
  data_dir: ${JSON.stringify(dataDir)}
  durability: fast

agents:
${agents.join('')}
permissions:
  default: ${o.permissions?.default ?? 'ask'}
  approval_timeout_secs: 120
  rules: ${JSON.stringify(o.permissions?.rules ?? [])}
`;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export type Api = <T = any>(method: string, path: string, body?: unknown) => Promise<ApiResponse<T>>;

export function apiClient(url: string, token = TOKEN): Api {
  return async (method, path, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text.length ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: r.status, body: parsed as never };
  };
}

export interface RealGateway {
  gw: Gateway;
  url: string;
  api: Api;
  close(): Promise<void>;
}

/** The gateway in this process (so tests can read `gw.store`), on the config file of `setup`. */
export async function startRealGateway(setup: RealSetup): Promise<RealGateway> {
  const { config } = loadConfig({ path: setup.configPath, env: {} });
  const logger = process.env.AINTEGRIX_TEST_LOGS ? createLogger({ level: 'debug' }) : silentLogger;
  const gw = await startGateway({ config, tokens: config.auth.tokens, logger, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  let closed = false;
  return {
    gw,
    url: gw.url,
    api: apiClient(gw.url),
    close: async () => {
      if (closed) return;
      closed = true;
      await gw.close();
    },
  };
}

export function says(text: string) {
  return { messages: [{ type: 'text', text }] };
}

/** Poll until `check` returns a truthy value (liveness, not speed). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The parsed ACP messages the agent sent (`in`) or got (`out`) in a session's log. */
export function acpMessages(events: readonly RecordedEvent[], dir: 'in' | 'out'): any[] {
  return events
    .filter((e) => e.type === 'AcpMessage' && (e.data as { dir: string }).dir === dir)
    .map((e) => (e.data as { msg: unknown }).msg);
}

/** `session/update` payloads of the given kind that the agent sent. */
export function updates(events: readonly RecordedEvent[], kind: string): any[] {
  return acpMessages(events, 'in')
    .filter((m) => m.method === 'session/update' && m.params?.update?.sessionUpdate === kind)
    .map((m) => m.params.update);
}
