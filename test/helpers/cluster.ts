// Several real `aintegrix serve` node processes on one fresh PostgreSQL database: a cluster for the scale-out tests
// and the failover figure. Each node has its own folder (config, data dir with its mirror of the log, the demo agent's
// store: what an agent keeps lives on its node), its own `cluster.node_id` and short lease timings; they share the
// database (AINTEGRIX_STORE_URL in each node's environment, never in a config file), the API token and the audit key
// (every node signs checkpoints of the one log, and verifies every node's). A node can be
// killed (-9), paused (SIGSTOP) and resumed (SIGCONT), stopped and restarted as the same node (same id, same folder).
// Who owns an actor is read where the cluster keeps it: the `leases` table.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { eventually } from './poll.js';
import { createTestDatabase } from './postgres.js';
import { DEMO_AGENT_ENTRY } from './paths.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

export const CLUSTER_TOKEN = 'cluster-test-token-0123456789abcdef';

export interface ClusterOptions {
  /** how many nodes (default 3), named node-a, node-b, ... */
  nodes?: number;
  /** cluster.lease_ttl_secs (default 5: short, yet no heartbeat of a loaded machine is late by a whole TTL) */
  leaseTtlSecs?: number;
  /** cluster.heartbeat_secs (default 0.5) */
  heartbeatSecs?: number;
  /** the demo agent's arguments (default `--mode resume`) */
  agentArgs?: string[];
  /** the demo agent's command (default this node binary); `agentCommand` of the bench pins it to a CPU */
  agentCommand?: [string, string[]];
  /** an existing database URL (default: a fresh database from createTestDatabase) */
  databaseUrl?: string;
  /** audit.checkpoint_every_events (default: the config's) */
  checkpointEveryEvents?: number;
  /** merged into each node's config (limits, server keys) */
  extra?: Record<string, unknown>;
  /** more environment for every node process (e.g. AINTEGRIX_LOG_LEVEL) */
  env?: Record<string, string>;
  /** the folder the nodes' folders go in (default: a new temporary folder, removed by dispose) */
  dir?: string;
  /** how long a node may take to print its URL */
  startTimeoutMs?: number;
}

export interface LeaseRow {
  key: string;
  nodeId: string;
  epoch: number;
  expired: boolean;
}

type ApiReply = { status: number; body: any };

export class ClusterNode {
  server: ServerProcess | undefined;
  paused = false;
  /** the output of every process this node ran so far (stdout and stderr), for failure messages and checks */
  private readonly outputs: string[] = [];

  constructor(
    readonly id: string,
    readonly dir: string,
    readonly configPath: string,
    private readonly env: Record<string, string>,
    private readonly startTimeoutMs: number,
  ) {}

  get url(): string {
    if (!this.server) throw new Error(`${this.id} is not running`);
    return this.server.url;
  }

  get running(): boolean {
    const c = this.server?.child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  get pid(): number {
    const pid = this.server?.child.pid;
    if (pid === undefined) throw new Error(`${this.id} is not running`);
    return pid;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.id} is already running`);
    this.server = await startServerProcess(['--config', this.configPath], this.env, this.startTimeoutMs);
    this.paused = false;
  }

  /** kill -9 (a paused node too), and wait until it is gone. */
  async kill(): Promise<void> {
    const s = this.server;
    if (!s || !this.running) return;
    s.child.kill('SIGKILL');
    await s.exited;
    this.paused = false;
    this.outputs.push(s.stdout(), s.stderr());
  }

  /** SIGTERM: a clean stop (its leases are let go for the others). Answers the exit code. */
  async stop(): Promise<number | string | undefined> {
    const s = this.server;
    if (!s || !this.running) return undefined;
    if (this.paused) this.resume();
    const code = await s.stop('SIGTERM');
    this.outputs.push(s.stdout(), s.stderr());
    return code;
  }

  /** SIGSTOP: the process freezes (its agents run on); it renews nothing while paused. */
  pause(): void {
    this.server!.child.kill('SIGSTOP');
    this.paused = true;
  }

  /** SIGCONT after pause(). */
  resume(): void {
    this.server!.child.kill('SIGCONT');
    this.paused = false;
  }

  /** The same node again (same id, folder, mirror and agent store) after kill() or stop(). */
  async restart(): Promise<void> {
    if (this.running) await this.kill();
    await this.start();
  }

  /** Everything this node printed, over all its processes (the running one included). */
  output(): string {
    const live = this.server && this.running ? [this.server.stdout(), this.server.stderr()] : [];
    return [...this.outputs, ...live].join('\n');
  }

  /** One API call to this node with the cluster's token. */
  async api(method: string, path: string, body?: unknown): Promise<ApiReply> {
    const headers: Record<string, string> = { authorization: `Bearer ${CLUSTER_TOKEN}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(this.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text for the failure message */
    }
    return { status: r.status, body: parsed };
  }
}

export class TestCluster {
  constructor(
    readonly nodes: ClusterNode[],
    readonly databaseUrl: string,
    /** the test's own connection to the shared database (leases, nodes, pg_events) */
    readonly db: pg.Pool,
    private readonly root: string,
    private readonly ownsRoot: boolean,
  ) {}

  node(id: string): ClusterNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id} (nodes: ${this.nodes.map((x) => x.id).join(', ')})`);
    return n;
  }

  /** The node a URL belongs to (e.g. a node named in an answer). */
  nodeAt(url: string): ClusterNode | undefined {
    return this.nodes.find((n) => n.running && n.url === url.replace(/\/+$/, ''));
  }

  /** The nodes that are running and not paused. */
  live(): ClusterNode[] {
    return this.nodes.filter((n) => n.running && !n.paused);
  }

  /** The row of `key` in `leases` (e.g. `session:<id>`), read now; undefined when nobody ever held it. */
  async lease(key: string): Promise<LeaseRow | undefined> {
    const r = await this.db.query<{ key: string; node_id: string; epoch: string; expired: boolean }>(
      'SELECT key, node_id, epoch, expires_at < now() AS expired FROM leases WHERE key = $1',
      [key],
    );
    const row = r.rows[0];
    return row && { key: row.key, nodeId: row.node_id, epoch: Number(row.epoch), expired: row.expired };
  }

  /** The node holding a live lease on session `id` (undefined while nobody does). */
  async sessionOwner(id: string): Promise<ClusterNode | undefined> {
    const l = await this.lease(`session:${id}`);
    return l && !l.expired ? this.nodes.find((n) => n.id === l.nodeId) : undefined;
  }

  /** Wait until a live lease on `key` satisfies `ok` (e.g. it moved off a killed node); answers it. */
  waitForLease(key: string, ok: (l: LeaseRow) => boolean, timeoutMs = 60_000, what = `the lease of ${key}`): Promise<LeaseRow> {
    return eventually(async () => {
      const l = await this.lease(key);
      return l && !l.expired && ok(l) ? l : undefined;
    }, timeoutMs, what);
  }

  /** The last heartbeat a node stamped in `nodes` (database clock, ms), or undefined before its first. */
  async heartbeatAt(nodeId: string): Promise<number | undefined> {
    const r = await this.db.query<{ at: Date }>('SELECT heartbeat_at AS at FROM nodes WHERE node_id = $1', [nodeId]);
    return r.rows[0]?.at.getTime();
  }

  /** The database's clock now (ms): compare with heartbeatAt, never with this process's clock. */
  async dbNow(): Promise<number> {
    return (await this.db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now.getTime();
  }

  /** The last committed position of the shared log. */
  async head(): Promise<number> {
    return Number((await this.db.query<{ p: string | null }>('SELECT max(position) AS p FROM pg_events')).rows[0]!.p ?? 0);
  }

  async dispose(): Promise<void> {
    for (const n of this.nodes) {
      if (n.paused) n.resume();
      await n.kill();
    }
    await this.db.end();
    if (this.ownsRoot) rmSync(this.root, { recursive: true, force: true });
  }
}

/** The config of one node: the postgres store (URL from the environment), its cluster section, the demo agent. */
export function clusterNodeConfig(dir: string, nodeId: string, o: ClusterOptions, auditKeyFile: string): Record<string, unknown> {
  const [command, args] = o.agentCommand ?? [process.execPath, [DEMO_AGENT_ENTRY]];
  return {
    server: { host: '127.0.0.1', port: 0, shutdown_timeout_secs: 10 },
    agents: {
      demo: { command, args: [...args, ...(o.agentArgs ?? ['--mode', 'resume'])], env: { DEMO_AGENT_STORE: join(dir, 'agent-store') } },
    },
    store: { kind: 'postgres', data_dir: join(dir, 'data') },
    cluster: { node_id: nodeId, lease_ttl_secs: o.leaseTtlSecs ?? 5, heartbeat_secs: o.heartbeatSecs ?? 0.5 },
    auth: { tokens: [{ name: 'tester', token: CLUSTER_TOKEN }] },
    // one key for the log's checkpoints, whichever node signs them (as one set of tokens)
    audit: { key_file: auditKeyFile, ...(o.checkpointEveryEvents ? { checkpoint_every_events: o.checkpointEveryEvents } : {}) },
    permissions: { default: 'allow' },
    ...o.extra,
  };
}

/** Start the nodes (all at once) on one database and answer the cluster; dispose() kills them. */
export async function startCluster(o: ClusterOptions = {}): Promise<TestCluster> {
  const count = o.nodes ?? 3;
  const databaseUrl = o.databaseUrl ?? (await createTestDatabase('cluster'));
  const root = o.dir ?? mkdtempSync(join(tmpdir(), 'aix-cluster-'));
  mkdirSync(root, { recursive: true });
  const auditKeyFile = join(root, 'audit-key');
  writeFileSync(auditKeyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < count; i++) {
    const id = `node-${String.fromCharCode(97 + i)}`;
    const dir = join(root, id);
    mkdirSync(dir, { recursive: true });
    const configPath = join(dir, 'aintegrix.yaml');
    writeFileSync(configPath, stringify(clusterNodeConfig(dir, id, o, auditKeyFile)));
    const env = { AINTEGRIX_STORE_URL: databaseUrl, ...o.env };
    nodes.push(new ClusterNode(id, dir, configPath, env, o.startTimeoutMs ?? 60_000));
  }
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const cluster = new TestCluster(nodes, databaseUrl, db, root, o.dir === undefined);
  try {
    await Promise.all(nodes.map((n) => n.start()));
  } catch (error) {
    await cluster.dispose();
    throw error;
  }
  return cluster;
}

/** One event as the events API serves it (src/streams/event-view.ts). */
export interface LoggedEvent {
  position: number;
  stream: string;
  type: string;
  data: any;
  meta: any;
}

/** Every event of session `id` as node `n` serves it (JSON pages from the start), in log order. */
export async function sessionLog(n: ClusterNode, id: string): Promise<LoggedEvent[]> {
  const all: LoggedEvent[] = [];
  for (let after = 0; ;) {
    const page = await n.api('GET', `/api/v1/sessions/${id}/events?after=${after}&limit=1000`);
    if (page.status !== 200) throw new Error(`events of ${id} on ${n.id}: ${page.status} ${JSON.stringify(page.body)}`);
    if (page.body.events.length === 0) return all;
    all.push(...page.body.events);
    after = page.body.next_after;
  }
}

export const says = (text: string) => ({ messages: [{ type: 'text', text }] });
