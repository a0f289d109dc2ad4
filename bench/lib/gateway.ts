// The gateway under test, as a separate process: `node <compiled cli> serve --config <generated yaml>`, with the
// bundled demo agent, port 0 (the URL is read from its banner), a temp data dir, `permissions: {default: allow}`
// and rate limits high enough never to throttle a benchmark. Pinned to the server CPU; its agents run on the
// client CPU (agentCommand).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CLIENT_CPU, Child, SERVER_CPU, pinned, rssKiB, type Tools } from './proc.js';
import { DEMO_AGENT_MAIN, GATEWAY_MAIN } from './paths.js';

export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

export interface GatewaySpec {
  durability: 'strict' | 'fast';
  /** reuse this folder (its data/ holds the log): restarts and prepared databases */
  dir?: string;
  maxSessions?: number;
  /** extra node flags (e.g. --cpu-prof) */
  nodeArgs?: string[];
  cpu?: number | null;
  /** the agent comes back after being stopped (needed when the bench stops agents itself) */
  autoRestart?: boolean;
  /** run the agents unpinned (both CPUs) instead of on the client CPU */
  agentsUnpinned?: boolean;
  /** the log on this PostgreSQL database (store.kind: postgres, one node) instead of SQLite */
  postgresUrl?: string;
}

export interface ApiReply<T = unknown> {
  status: number;
  body: T;
}

export class GatewayProcess {
  constructor(
    readonly child: Child,
    readonly url: string,
    readonly dir: string,
  ) {}

  get pid(): number {
    return this.child.pid;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get dbPath(): string {
    return join(this.dataDir, 'aintegrix.db');
  }

  rssKiB(): number {
    return rssKiB(this.pid);
  }

  async api<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiReply<T>> {
    const r = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep the text */
    }
    return { status: r.status, body: parsed as T };
  }

  /** Create a session on the demo agent; returns its id. */
  async createSession(): Promise<string> {
    const r = await this.api<{ id: string }>('POST', '/api/v1/sessions', { agent: 'demo' });
    if (r.status !== 201) throw new Error(`session create failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  }

  /** One blocking prompt; throws unless it completed. */
  async prompt(id: string, text: string): Promise<{ text: string; position: number; outcome: string }> {
    const r = await this.api<{ text: string; position: number; outcome: string }>('POST', `/api/v1/sessions/${id}/prompt`, promptBody(text));
    if (r.status !== 200 || r.body.outcome !== 'completed') throw new Error(`prompt failed: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    return r.body;
  }

  /** SIGTERM and wait (the gateway stops its agents and closes the log cleanly). */
  stop(): Promise<void> {
    return this.child.stop(15_000);
  }
}

export function promptBody(text: string): { messages: Array<{ type: 'text'; text: string }> } {
  return { messages: [{ type: 'text', text }] };
}

/**
 * How the demo agent is started: on the client CPU, like everything that drives the process under test (the
 * gateway, or the SDK client that replaces it in a baseline, alone on the server CPU).
 */
export function agentCommand(tools: Tools, unpinned = false): [string, string[]] {
  if (unpinned) return pinned(tools, tools.cpus >= 2 ? '0,1' : null, process.execPath, [DEMO_AGENT_MAIN]);
  return pinned(tools, CLIENT_CPU, process.execPath, [DEMO_AGENT_MAIN]);
}

/** The config the bench writes (a user's YAML, loaded by the real loader). */
export function gatewayConfig(tools: Tools, dir: string, spec: GatewaySpec): string {
  const max = spec.maxSessions ?? 64;
  const [command, args] = agentCommand(tools, spec.agentsUnpinned);
  return stringify({
    server: { host: '127.0.0.1', port: 0, prompt_timeout_secs: 600, shutdown_timeout_secs: 60 },
    agents: {
      demo: {
        command,
        args,
        max_sessions: max,
        auto_restart: spec.autoRestart ?? false,
      },
    },
    store: { data_dir: join(dir, 'data'), durability: spec.durability, ...(spec.postgresUrl ? { kind: 'postgres', url: spec.postgresUrl } : {}) },
    auth: { tokens: [{ name: 'bench', token: BENCH_TOKEN }] },
    permissions: { default: 'allow' },
    limits: {
      max_sessions_total: max,
      rate: { requests_per_second: 10_000_000, burst: 10_000_000 },
      // a saturated client must not be dropped as "stalled" in the middle of a measurement
      stream_stall_secs: 3600,
    },
  });
}

/** A gateway environment without AINTEGRIX_* overrides from the caller's shell. */
function gatewayEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AINTEGRIX_')) env[k] = v;
  env.AINTEGRIX_LOG_LEVEL = 'warn';
  return env;
}

export interface StartedGateway {
  gateway: GatewayProcess;
  /** ms from spawn to the banner with the URL */
  bannerMs: number;
}

/** Start a gateway and wait for its URL. */
export async function startGateway(tools: Tools, tmpRoot: string, spec: GatewaySpec): Promise<StartedGateway> {
  const dir = spec.dir ?? mkdtempSync(join(tmpRoot, `gw-${spec.durability}-`));
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'aintegrix.yaml');
  writeFileSync(configPath, gatewayConfig(tools, dir, spec));
  const t0 = performance.now();
  const child = new Child(tools, process.execPath, [...(spec.nodeArgs ?? []), GATEWAY_MAIN, 'serve', '--config', configPath], {
    cpu: spec.cpu === undefined ? SERVER_CPU : spec.cpu,
    env: gatewayEnv(),
    cwd: dir,
  });
  try {
    const m = await child.waitLine(/aintegrix listening on (http:\/\/\S+)/, 300_000, 'the gateway banner');
    return { gateway: new GatewayProcess(child, m[1]!, dir), bannerMs: performance.now() - t0 };
  } catch (e) {
    child.proc.kill('SIGKILL');
    throw e;
  }
}
