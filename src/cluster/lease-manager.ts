// Ownership by lease. Each session, orchestration, pipeline and review actor runs on exactly one node: the one that
// holds the row of its key (its root stream id) in `leases`. The epoch is the fence: it starts at 1 when the actor is
// created and grows by one at every takeover, and the postgres store refuses an append whose {key, epoch} is not the
// current row, so a node that was paused while its lease moved can never write again.
//
// Every heartbeat is ONE statement: it stamps the node's row in `nodes` and renews every lease the node holds (by key
// AND epoch); a held lease the statement did not renew was taken over: it is lost at once. When no heartbeat gets
// through for a whole TTL (database unreachable), every lease is counted lost as well, since another node may already
// hold it. Expiry is the database's clock (`now()`), never a node's, so nodes with skewed clocks agree.
//
// A sweep takes over expired leases with one UPDATE ... RETURNING (epoch + 1, this node); the row lock and the
// re-checked `expires_at < now()` make one winner among nodes sweeping at once, and SKIP LOCKED lets racing sweeps
// split the expired rows instead of queueing on them. A sweep takes at most `takeoverBatch` leases, so the actors of
// a dead node spread over the survivors.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { ensureClusterTables } from './cluster-schema.js';

export interface Lease {
  key: string;
  epoch: number;
}

/** Who holds a key, with the URL its node advertises (commands for the key are forwarded there). */
export interface LeaseOwner extends Lease {
  nodeId: string;
  url: string | undefined;
  expired: boolean;
}

export type LostReason = 'taken' | 'unrenewed';

export interface LeaseManagerOptions {
  pool: pg.Pool;
  nodeId: string;
  /** where other nodes forward commands for this node's actors (setUrl changes it) */
  url: string;
  ttlMs: number;
  heartbeatMs: number;
  /** a held lease was lost: the actor must stop at once (its agent killed); it is no longer held when this runs */
  onLost?: (lease: Lease, reason: LostReason) => void;
  /** leases this node took over in a sweep (already held and renewed): restore their actors */
  onTakeover?: (leases: Lease[]) => void | Promise<void>;
  /** keys this node may take over (default: every key) */
  accepts?: (key: string) => boolean;
  /** the most leases one sweep takes (default 16) */
  takeoverBatch?: number;
  onError?: (error: unknown, context: string) => void;
}

interface Held extends Lease {
  /** local monotonic time until which the lease is surely ours: when the renewal that set it was sent, + TTL */
  validUntil: number;
}

export class LeaseManager {
  readonly nodeId: string;
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: LeaseManagerOptions) {
    this.nodeId = options.nodeId;
  }

  /** The address other nodes forward to, once known (a node listening on port 0 learns its port after the start). */
  setUrl(url: string): void {
    this.options.url = url;
  }

  /** Create the tables if needed and stamp this node's row (before it acquires anything). */
  async open(): Promise<void> {
    await ensureClusterTables(this.options.pool);
    await this.heartbeat();
  }

  /** Heartbeat and sweep every `heartbeatMs` until stop(). */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The lease this node holds on `key`, if any (what an append of the key's actor carries as its fence). */
  holds(key: string): Lease | undefined {
    const h = this.held.get(key);
    return h === undefined ? undefined : { key: h.key, epoch: h.epoch };
  }

  heldKeys(): string[] {
    return [...this.held.keys()];
  }

  /**
   * Take the lease of a key: a new key gets epoch 1; an expired one is taken over (epoch + 1); a live lease of
   * another node is not taken (undefined). A key this node already holds is returned as held.
   */
  async acquire(key: string): Promise<Lease | undefined> {
    const mine = this.holds(key);
    if (mine) return mine;
    const sentAt = performance.now();
    const r = await this.options.pool.query<{ epoch: string }>(
      `INSERT INTO leases (key, node_id, epoch, expires_at) VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET node_id = EXCLUDED.node_id, epoch = leases.epoch + 1, expires_at = EXCLUDED.expires_at
         WHERE leases.expires_at < now()
       RETURNING epoch`,
      [key, this.nodeId, this.options.ttlMs],
    );
    const row = r.rows[0];
    if (row === undefined) return undefined;
    return this.keep({ key, epoch: Number(row.epoch) }, sentAt);
  }

  /**
   * At boot: the leases this node id still holds from its previous process, taken with epoch + 1 (that process, if
   * it is somehow still alive, is fenced). The caller restores their actors.
   */
  async claimOwn(): Promise<Lease[]> {
    const sentAt = performance.now();
    const r = await this.options.pool.query<{ key: string; epoch: string }>(
      `UPDATE leases SET epoch = epoch + 1, expires_at = now() + $2 * interval '1 millisecond'
       WHERE node_id = $1 AND NOT (key = ANY($3::text[])) RETURNING key, epoch`,
      [this.nodeId, this.options.ttlMs, this.heldKeys()],
    );
    return r.rows.map((row) => this.keep({ key: row.key, epoch: Number(row.epoch) }, sentAt));
  }

  /** Give a lease up (its actor is gone for good: deleted). */
  async release(key: string): Promise<void> {
    const h = this.held.get(key);
    if (h === undefined) return;
    this.held.delete(key);
    await this.options.pool.query('DELETE FROM leases WHERE key = $1 AND node_id = $2 AND epoch = $3', [key, this.nodeId, h.epoch]);
  }

  /** Let every lease expire now (clean shutdown, after the actors stopped): the other nodes take them at once. */
  async releaseAll(): Promise<void> {
    const held = [...this.held.values()];
    this.held.clear();
    if (held.length === 0) return;
    await this.options.pool.query(
      `UPDATE leases l SET expires_at = now() - interval '1 millisecond'
       FROM unnest($2::text[], $3::bigint[]) AS h(key, epoch)
       WHERE l.key = h.key AND l.epoch = h.epoch AND l.node_id = $1`,
      [this.nodeId, held.map((h) => h.key), held.map((h) => h.epoch)],
    );
  }

  /** Who holds `key` now (a read of the table), with its node's advertised URL. */
  async ownerOf(key: string): Promise<LeaseOwner | undefined> {
    const r = await this.options.pool.query<{ node_id: string; epoch: string; url: string | null; expired: boolean }>(
      `SELECT l.node_id, l.epoch, n.url, l.expires_at < now() AS expired
       FROM leases l LEFT JOIN nodes n ON n.node_id = l.node_id WHERE l.key = $1`,
      [key],
    );
    const row = r.rows[0];
    if (row === undefined) return undefined;
    return { key, nodeId: row.node_id, epoch: Number(row.epoch), url: row.url ?? undefined, expired: row.expired };
  }

  /**
   * One statement: stamp this node in `nodes` and renew every held lease. A held lease it did not renew is lost
   * (another node took it). If the statement fails, leases whose last renewal is older than the TTL are lost.
   */
  async heartbeat(): Promise<void> {
    const sent = [...this.held.values()];
    const sentAt = performance.now();
    let renewed: Set<string>;
    try {
      const r = await this.options.pool.query<{ key: string }>(
        `WITH beat AS (
           INSERT INTO nodes (node_id, url, heartbeat_at) VALUES ($1, $2, now())
           ON CONFLICT (node_id) DO UPDATE SET url = EXCLUDED.url, heartbeat_at = EXCLUDED.heartbeat_at
         )
         UPDATE leases l SET expires_at = now() + $3 * interval '1 millisecond'
         FROM unnest($4::text[], $5::bigint[]) AS h(key, epoch)
         WHERE l.key = h.key AND l.epoch = h.epoch AND l.node_id = $1
         RETURNING l.key`,
        [this.nodeId, this.options.url, this.options.ttlMs, sent.map((h) => h.key), sent.map((h) => h.epoch)],
      );
      renewed = new Set(r.rows.map((row) => row.key));
    } catch (error) {
      this.options.onError?.(error, 'lease heartbeat');
      this.loseOverdue();
      return;
    }
    for (const h of sent) {
      if (this.held.get(h.key) !== h) continue; // released or re-acquired while the statement ran
      if (renewed.has(h.key)) h.validUntil = sentAt + this.options.ttlMs;
      else this.lose(h, 'taken');
    }
  }

  /** Take over expired leases (at most `takeoverBatch`); returns them, already held. */
  async sweep(): Promise<Lease[]> {
    const sentAt = performance.now();
    const r = await this.options.pool.query<{ key: string; epoch: string }>(
      `UPDATE leases l SET node_id = $1, epoch = l.epoch + 1, expires_at = now() + $2 * interval '1 millisecond'
       WHERE l.key IN (
         SELECT key FROM leases WHERE expires_at < now() AND NOT (key = ANY($4::text[]))
         ORDER BY expires_at LIMIT $3 FOR UPDATE SKIP LOCKED
       ) AND l.expires_at < now()
       RETURNING l.key, l.epoch`,
      [this.nodeId, this.options.ttlMs, this.options.takeoverBatch ?? 16, this.heldKeys()],
    );
    const accepts = this.options.accepts;
    const taken: Lease[] = [];
    const refused: Lease[] = [];
    for (const row of r.rows) {
      const lease = { key: row.key, epoch: Number(row.epoch) };
      if (accepts && !accepts(lease.key)) refused.push(lease);
      else taken.push(this.keep(lease, sentAt));
    }
    // a key this node does not host goes back, expired, for a node that does (rare: mixed versions)
    if (refused.length > 0) {
      await this.options.pool.query(
        `UPDATE leases l SET expires_at = now() - interval '1 millisecond' FROM unnest($2::text[], $3::bigint[]) AS h(key, epoch)
         WHERE l.key = h.key AND l.epoch = h.epoch AND l.node_id = $1`,
        [this.nodeId, refused.map((l) => l.key), refused.map((l) => l.epoch)],
      );
    }
    return taken;
  }

  /** One heartbeat, then one sweep handed to onTakeover. */
  async tick(): Promise<void> {
    await this.heartbeat();
    if (this.stopped) return;
    let taken: Lease[] = [];
    try {
      taken = await this.sweep();
    } catch (error) {
      this.options.onError?.(error, 'lease sweep');
    }
    if (taken.length > 0) {
      try {
        await this.options.onTakeover?.(taken);
      } catch (error) {
        this.options.onError?.(error, 'lease takeover');
      }
    }
  }

  private keep(lease: Lease, sentAt: number): Lease {
    this.held.set(lease.key, { ...lease, validUntil: sentAt + this.options.ttlMs });
    return lease;
  }

  private lose(h: Held, reason: LostReason): void {
    if (this.held.get(h.key) !== h) return;
    this.held.delete(h.key);
    try {
      this.options.onLost?.({ key: h.key, epoch: h.epoch }, reason);
    } catch (error) {
      this.options.onError?.(error, 'lease lost handler');
    }
  }

  private loseOverdue(): void {
    const now = performance.now();
    for (const h of [...this.held.values()]) if (h.validUntil <= now) this.lose(h, 'unrenewed');
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (this.running !== undefined) {
        // the last heartbeat hangs (database unreachable): leases not renewed for a whole TTL are lost all the same
        this.loseOverdue();
        this.schedule();
        return;
      }
      this.running = this.tick()
        .catch((error: unknown) => this.options.onError?.(error, 'lease tick'))
        .finally(() => {
          this.running = undefined;
        });
      this.schedule();
    }, this.options.heartbeatMs);
    this.timer.unref();
  }
}
