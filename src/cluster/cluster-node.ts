// A gateway node of a cluster (store.kind postgres + a `cluster` section): the composition of the leases, the fences,
// forwarding and takeover for startGateway, which stays the same for a single node. The order matters:
//   1. openClusterNode (before the store opens): the node's id, its leases of a previous process claimed (epoch + 1,
//      so that process, were it somehow alive, is fenced);
//   2. bindStore: appends are fenced, new actors take their lease before their first append (runtime options), boot
//      restores only the actors whose lease this node holds (accepts);
//   3. bindServices, once the services exist: a lost lease stops its actor, a taken-over one is restored and recovered;
//   4. start, once the routes serve: heartbeats and sweeps run, and every other actor is followed for reads.
import pg from 'pg';
import type { ClusterConfig } from '../config/cluster-schema.js';
import type { Logger } from '../log/logger.js';
import type { AppendFence, EventStore, NewEvent } from '../store/types.js';
import type { ActorRuntime } from '../actors/runtime.js';
import type { Route } from '../http/router.js';
import type { RequestContext } from '../http/request-context.js';
import { Rejected } from '../errors/rejection.js';
import type { ApprovalService } from '../sessions/approval-service.js';
import type { NamedToken } from '../http/auth.js';
import { LeaseManager, type Lease } from './lease-manager.js';
import { advertiseUrl, resolveNodeId } from './node-identity.js';
import { StreamOwnership, leaseKeyOfActor, LEASED_KINDS } from './ownership.js';
import { forwardCommands, type CommandOwnership } from './command-routes.js';
import { Takeover, type TakeoverServices } from './takeover.js';
import { commandRelay, type CommandRelay } from './command-relay.js';

/** The lease of the session an approval decision acts on (POST /api/v1/approvals/:id): forwarded to its owner. */
export function approvalSession(approvals: Pick<ApprovalService, 'sessionOf'>) {
  return (route: Route, ctx: RequestContext): string | undefined => {
    if (route.path !== '/api/v1/approvals/:id' || ctx.params[0] === undefined) return undefined;
    const session = approvals.sessionOf(decodeURIComponent(ctx.params[0]));
    return session === undefined ? undefined : `session:${session}`;
  };
}

export interface ClusterNodeOptions {
  cluster: ClusterConfig;
  dataDir: string;
  host: string;
  port: number;
  storeUrl: string;
  logger: Logger;
  /** the tokens of auth.tokens (the same on every node): a relayed command carries its caller's */
  tokens: readonly NamedToken[];
}

export async function openClusterNode(o: ClusterNodeOptions): Promise<ClusterNode> {
  const nodeId = resolveNodeId(o.cluster.node_id, o.dataDir);
  const pool = new pg.Pool({ connectionString: o.storeUrl, max: 2, application_name: `aintegrix-leases:${nodeId}`.slice(0, 63), allowExitOnIdle: true });
  pool.on('error', (error) => o.logger.warn('cluster: idle connection lost', { error }));
  const node = new ClusterNode(pool, nodeId, o);
  try {
    await node.leases.open();
    node.claimed = await node.leases.claimOwn();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  o.logger.info('cluster node', { node: nodeId, url: node.url, leases_claimed: node.claimed.length });
  return node;
}

export class ClusterNode {
  readonly leases: LeaseManager;
  /** the leases this node id held before this process (restored at boot) */
  claimed: Lease[] = [];
  url: string;
  private streams: StreamOwnership | undefined;
  private takeover: Takeover | undefined;
  private store: EventStore | undefined;
  private runtime: ActorRuntime | undefined;
  private releaser: NodeJS.Timeout | undefined;
  private closing = false;
  /** keys held here whose actor is being restored and recovered: their commands wait (adopt) until it is done */
  private readonly moving = new Map<string, Promise<void>>();
  /** where a command of a leased actor runs: here, at its live owner, or here after adopting it (owner gone) */
  readonly ownership: CommandOwnership;
  /** commands of the WebSocket and MCP surfaces, sent to the owner as their REST equivalent (command-relay.ts) */
  readonly relay: CommandRelay;

  constructor(
    private readonly pool: pg.Pool,
    readonly nodeId: string,
    private readonly o: ClusterNodeOptions,
  ) {
    this.url = advertiseUrl(o.cluster.advertise_url, o.host, o.port);
    this.leases = new LeaseManager({
      pool,
      nodeId,
      url: this.url,
      ttlMs: o.cluster.lease_ttl_secs * 1000,
      heartbeatMs: o.cluster.heartbeat_secs * 1000,
      onLost: (lease, reason) => {
        o.logger.warn('cluster: lease lost, the actor stops here', { key: lease.key, epoch: lease.epoch, reason });
        this.takeover?.lost(lease.key);
      },
      onTakeover: async (leases) => {
        // every key is marked as moving before the first is restored: its commands wait for its takeover
        let chain: Promise<void> = Promise.resolve();
        for (const l of leases) chain = this.takeOver(l.key, chain);
        await chain;
      },
      // a node shutting down takes nothing over (what it gets now it would hand back at once)
      accepts: (key) => !this.closing && leaseKeyOfActor(key) !== undefined,
      onError: (error, context) => o.logger.warn(`cluster: ${context} failed`, { error: error as Error }),
    });
    this.ownership = {
      nodeId,
      holds: (key) => this.leases.holds(key) !== undefined && !this.moving.has(key),
      ownerOf: (key) => this.leases.ownerOf(key),
      adopt: async (key) => {
        const moving = this.moving.get(key);
        if (moving !== undefined) {
          await moving;
          return this.leases.holds(key) !== undefined;
        }
        if (this.closing || (await this.leases.acquire(key)) === undefined) return false;
        await this.takeOver(key);
        return true;
      },
    };
    const tokens = new Map(o.tokens.map((t) => [t.name, t.token]));
    this.relay = commandRelay(this.ownership, (principal) => tokens.get(principal));
  }

  /** The fence of an append (the runtime's fenceFor); unfenced until the store is bound (nothing appends before). */
  readonly fenceFor = (streamId: string, events: readonly NewEvent[]): AppendFence | undefined => this.streams?.fenceFor(streamId, events);

  /** A new actor takes its lease (epoch 1) before its first append (the runtime's claim). */
  readonly claim = async (streamId: string): Promise<void> => {
    const key = leaseKeyOfActor(streamId);
    if (key === undefined) return;
    if ((await this.leases.acquire(key)) === undefined) throw new Rejected('lease_held', `${key} is already run by another node`);
  };

  /** Does this node run the stream at boot (its lease, or its session's lease, is held here)? */
  readonly accepts = (streamId: string): boolean => {
    const key = this.streams?.leaseKey(streamId);
    return key === undefined || this.leases.holds(key) !== undefined;
  };

  bindStore(store: EventStore, runtime: ActorRuntime): void {
    this.store = store;
    this.runtime = runtime;
    this.streams = new StreamOwnership(this.leases, store);
  }

  bindServices(services: TakeoverServices): void {
    this.takeover = new Takeover(this.runtime!, this.store!, this.streams!, services, this.o.logger);
  }

  /** The API's routes with the commands of leased actors forwarded to their owner (command-routes.ts). */
  wrapRoutes(routes: readonly Route[], maxBodyBytes: number, keyOf?: (route: Route, ctx: RequestContext) => string | undefined): Route[] {
    return forwardCommands(routes, { ownership: this.ownership, maxBodyBytes, ...(keyOf ? { keyOf } : {}) });
  }

  /**
   * The routes serve: advertise the real address, follow every actor this node does not run (reads), and start the
   * heartbeats and sweeps.
   */
  async start(listeningPort: number): Promise<void> {
    this.url = advertiseUrl(this.o.cluster.advertise_url, this.o.host, listeningPort);
    this.leases.setUrl(this.url);
    await this.leases.heartbeat();
    const store = this.store!;
    const runtime = this.runtime!;
    for (const kind of LEASED_KINDS) {
      for (const info of store.listStreams(`${kind}:`)) if (this.leases.holds(info.streamId) === undefined) runtime.markStale(info.streamId);
    }
    // another node's commits: its actors here are followers, refolded when read
    store.onCommitted((events) => {
      let last: string | undefined;
      for (const e of events) {
        if (e.streamId === last) continue;
        last = e.streamId;
        const key = leaseKeyOfActor(e.streamId);
        if (key !== undefined && this.leases.holds(key) === undefined) runtime.markStale(e.streamId);
      }
    });
    this.leases.start();
    this.releaser = setInterval(() => {
      this.takeover?.releaseFinished(this.leases).catch((error: Error) => this.o.logger.warn('cluster: releasing finished leases failed', { error }));
    }, this.o.cluster.heartbeat_secs * 1000);
    this.releaser.unref();
  }

  /** Shutdown begins: nothing more is taken over; the held leases are still renewed while the actors stop. */
  stopTakingOver(): void {
    this.closing = true;
  }

  /** Clean shutdown, after the actors stopped: every lease expires now, so the other nodes take them over at once. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.releaser);
    await this.leases.stop();
    await this.leases.releaseAll().catch((error: Error) => this.o.logger.warn('cluster: releasing the leases failed', { error }));
    await this.pool.end().catch(() => undefined);
  }

  /** Restore and recover the actor of a key just taken (after `before`); its commands wait meanwhile. */
  private takeOver(key: string, before: Promise<void> = Promise.resolve()): Promise<void> {
    const run = before.then(async () => {
      try {
        await this.takeover?.takeOver(key);
      } catch (error) {
        this.o.logger.error('cluster: taking an actor over failed', { key, error: error as Error });
      } finally {
        if (this.moving.get(key) === run) this.moving.delete(key);
      }
    });
    this.moving.set(key, run);
    return run;
  }
}
