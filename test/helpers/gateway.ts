// A real gateway for integration tests: a config written as YAML and loaded by the real loader, a real SQLite file
// in a temp dir, a real uWS server on 127.0.0.1 (port 0), and real bundled-agent child processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfigText } from '../../src/config/index.js';
import { startGateway, type Gateway } from '../../src/gateway/gateway.js';
import { createLogger, silentLogger, type Logger } from '../../src/log/logger.js';
import { DEMO_AGENT_ENTRY } from './paths.js';
import { forgetResponseChecker, responseChecker } from './response-check.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const OTHER_TOKEN = 'other-token-0123456789abcdef';

export interface TestGatewayOptions {
  /** demo agent flags per agent name (default: one agent `demo` with no flags) */
  agents?: Record<string, { flags?: string[]; env?: Record<string, string>; [key: string]: unknown }>;
  permissions?: unknown;
  limits?: unknown;
  server?: Record<string, unknown>;
  recovery?: unknown;
  store?: Record<string, unknown>;
  /** the `cluster` section (with `store: { kind: 'postgres', url }`: one node of several on one database) */
  cluster?: Record<string, unknown>;
  audit?: Record<string, unknown>;
  /** the `budgets` section */
  budgets?: unknown;
  /** the `telemetry` section */
  telemetry?: unknown;
  /** the `git` section */
  git?: Record<string, unknown>;
  /** the `routing` section */
  routing?: unknown;
  /** the `webhooks` section */
  webhooks?: Record<string, unknown>;
  /** the `workspaces` section; tests that pass a workspace_root list its folder in `allowed_roots` */
  workspaces?: { dir?: string; allowed_roots?: string[]; homes_dir?: string };
  /** the gateway's own environment (default: PATH, HOME and an AINTEGRIX_API_KEY that must never leak) */
  gatewayEnv?: Record<string, string | undefined>;
  /** more `auth.tokens` entries, after `tester` (TOKEN) and `other` (OTHER_TOKEN) */
  tokens?: { name: string; token: string; scopes?: string[] }[];
  /** default: silent (or debug lines on stderr with AINTEGRIX_TEST_LOGS=1) */
  logger?: Logger;
  /** reuse a data dir (restart tests) */
  dir?: string;
  cancelGraceMs?: number;
  restartBackoffMs?: number[];
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestGateway {
  gw: Gateway;
  url: string;
  dir: string;
  /** a request whose answer is checked against the gateway's GET /openapi.json (test/helpers/response-check.ts) */
  api<T = any>(method: string, path: string, body?: unknown, opts?: { token?: string | null; raw?: string }): Promise<ApiResponse<T>>;
  close(): Promise<void>;
  /** close and remove the temp dir */
  dispose(): Promise<void>;
}

export function demoAgent(flags: string[] = [], extra: Record<string, unknown> = {}) {
  return { flags, ...extra };
}

export async function startTestGateway(o: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'aix-gw-'));
  const agents: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(o.agents ?? { demo: {} })) {
    const { flags = [], env = {}, ...rest } = a;
    agents[name] = {
      command: process.execPath,
      args: [DEMO_AGENT_ENTRY, ...flags],
      env: { DEMO_AGENT_STORE: join(dir, `agent-store-${name}`), ...env },
      auto_restart: true,
      ...rest,
    };
  }
  const tree = {
    server: { host: '127.0.0.1', port: 0, prompt_timeout_secs: 60, ...o.server },
    agents,
    store: { data_dir: join(dir, 'data'), durability: 'fast', ...o.store },
    auth: { tokens: [{ name: 'tester', token: TOKEN }, { name: 'other', token: OTHER_TOKEN }, ...(o.tokens ?? [])] },
    ...(o.permissions ? { permissions: o.permissions } : { permissions: { default: 'allow' } }),
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.recovery ? { recovery: o.recovery } : {}),
    ...(o.audit ? { audit: o.audit } : {}),
    ...(o.workspaces ? { workspaces: o.workspaces } : {}),
    ...(o.budgets ? { budgets: o.budgets } : {}),
    ...(o.telemetry ? { telemetry: o.telemetry } : {}),
    ...(o.git ? { git: o.git } : {}),
    ...(o.routing ? { routing: o.routing } : {}),
    ...(o.webhooks ? { webhooks: o.webhooks } : {}),
    ...(o.cluster ? { cluster: o.cluster } : {}),
  };
  const { config } = loadConfigText(stringify(tree), join(dir, 'test.yaml'), {});
  const logger = o.logger ?? (process.env.AINTEGRIX_TEST_LOGS ? createLogger({ level: 'debug' }) : silentLogger);
  const gw = await startGateway({
    config,
    tokens: config.auth.tokens,
    logger,
    env: o.gatewayEnv ?? { PATH: process.env.PATH, HOME: process.env.HOME, AINTEGRIX_API_KEY: 'never-leak-this-key-0123456789' },
    cancelGraceMs: o.cancelGraceMs ?? 2000,
    restartBackoffMs: o.restartBackoffMs,
  });
  await responseChecker(gw.url); // the document first: the first api() call of a test must not wait for it
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    forgetResponseChecker(gw.url);
    await gw.close();
  };
  return {
    gw,
    url: gw.url,
    dir,
    async api(method, path, body, opts = {}) {
      const headers: Record<string, string> = {};
      const token = opts.token === undefined ? TOKEN : opts.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let payload: string | undefined = opts.raw;
      if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
      if (payload !== undefined) headers['content-type'] = 'application/json';
      const r = await fetch(`${gw.url}${path}`, { method, headers, body: payload });
      const text = await r.text();
      (await responseChecker(gw.url)).check(method, path, r.status, r.headers.get('content-type'), text);
      let parsed: unknown = text;
      try {
        parsed = text.length ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: r.status, body: parsed as never, headers: r.headers };
    },
    close,
    async dispose() {
      await close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new session of `agent` and the workspace the gateway gave it. */
export async function createSessionWithWorkspace(g: TestGateway, agent = 'demo'): Promise<{ id: string; ws: string }> {
  const r = await g.api('POST', '/api/v1/sessions', { agent });
  if (r.status !== 201) throw new Error(`session create answered ${r.status}: ${JSON.stringify(r.body)}`);
  const s = await g.api('GET', `/api/v1/sessions/${r.body.id}`);
  return { id: r.body.id, ws: s.body.workspace_root };
}

/** A blocking text prompt that must answer 200; the agent's text. */
export async function promptText(g: TestGateway, id: string, text: string): Promise<string> {
  const r = await g.api('POST', `/api/v1/sessions/${id}/prompt`, says(text));
  if (r.status !== 200) throw new Error(`prompt answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.text as string;
}

/** Text prompt body. */
export function says(text: string) {
  return { messages: [{ type: 'text', text }] };
}


/** @deprecated import it from ./poll.js (the one polling helper); kept so that tests written meanwhile still build */
export { eventually } from './poll.js';
