// One group commit on PostgreSQL: every append queued in one event-loop turn (plus the side writes), in ONE round
// trip as a rule. The node numbers and hashes the batch on its mirror's head (commit-plan.ts; the mirror holds
// every row up to its head, so its stream versions are PostgreSQL's at that head) and calls aintegrix_commit
// (schema.ts), which under the writers' lock of every node commits only if the head is still that one and every
// fence holds. If another node committed first ('moved'), the rows are read into the mirror and the batch is
// numbered again, this time inside a transaction that holds the lock from the head's read to COMMIT, so a busy
// cluster cannot starve a node. A refused fence ('fenced') drops the appends it carried; the others are numbered
// again. A lost connection leaves the outcome unknown: in-doubt.ts settles it from the table, never by guessing.
import type pg from 'pg';
import { type FencedError, StoreFailedError } from '../errors.js';
import type { SideWrites } from '../pending-writes.js';
import type { StoredEvent } from '../recorded-event.js';
import type { AppendFence, AppendResult, AuditCheckpoint, ExpectedVersion } from '../types.js';
import type { SerialisedEvent } from '../validate-append.js';
import type { Head } from '../write-batch.js';
import { type CommitPlan, type RefusedFences, fenceId, planBatch } from './commit-plan.js';
import { settleInDoubt, isOutcomeUnknown } from './in-doubt.js';
import { readEventsAfter } from './pg-reads.js';
import { WRITER_LOCK } from './schema.js';

export interface PgAppendOp {
  streamId: string;
  streamType: string;
  expected: ExpectedVersion;
  events: SerialisedEvent[];
  fence: AppendFence | undefined;
}

export interface PgBatch {
  appends: PgAppendOp[];
  side: SideWrites;
  audit: AuditCheckpoint[];
}

/** What the commit needs of the node: its mirror (head, versions, taking rows in order) and a catch-up. */
export interface CommitContext {
  pool: pg.Pool;
  nodeId: string;
  head(): Head;
  versionOf(streamId: string): number;
  /** committed rows into the mirror, in order (announced to listeners) */
  ingest(events: readonly StoredEvent[]): void;
  inDoubtTimeoutMs: number;
  /** the commit about to be sent ends at this position */
  sending(upTo: number): void;
}

export interface PgBatchOutcome {
  /** per append: its result, or the FencedError it is refused with */
  results: (AppendResult | FencedError)[];
  /** this batch's rows (committed, not yet in the mirror) */
  events: StoredEvent[];
}

type Status = [status: 'ok' | 'moved' | 'fenced', headPosition: number, headHash: string, refusedKeys: string[] | null,
  refusedEpochs: string[] | null, holderNodes: (string | null)[] | null, holderEpochs: (string | null)[] | null];

const ignore = (): void => undefined;

/** A fence refusal to another attempt at most this many times in a row (each one changes the batch). */
const MAX_ATTEMPTS = 8;

export async function commitBatch(ctx: CommitContext, batch: PgBatch): Promise<PgBatchOutcome> {
  const refused: RefusedFences = new Map();
  let locked = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const client = await ctx.pool.connect().catch((err: unknown) => {
      throw new Error(`PostgreSQL is unreachable (${err instanceof Error ? err.message : String(err)}); nothing was sent`, { cause: err });
    });
    // a connection that breaks while checked out also emits 'error' (the query rejects with it, handled below)
    client.on('error', ignore);
    let plan: CommitPlan | undefined;
    let status: Status;
    try {
      if (locked) await lockAndCatchUp(client, ctx);
      plan = planBatch(batch.appends, ctx.head(), ctx.versionOf, refused);
      ctx.sending(plan.head.position + plan.events.length);
      status = await callCommit(client, ctx.nodeId, plan, batch);
      if (locked) await client.query(status[0] === 'ok' ? 'COMMIT' : 'ROLLBACK');
      client.off('error', ignore);
      client.release();
    } catch (err) {
      const pid = (client as unknown as { processID?: number }).processID;
      client.off('error', ignore);
      client.release(err as Error); // a broken connection is not handed out again
      if (!isOutcomeUnknown(err) || plan === undefined || plan.events.length === 0) throw err;
      // the call (or COMMIT) may have committed: the table says whether it did
      await settleInDoubt(ctx.pool, pid, plan.events[plan.events.length - 1]!, ctx.inDoubtTimeoutMs, err);
      return { results: plan.results, events: plan.events };
    }
    if (status[0] === 'ok') return { results: plan.results, events: plan.events };
    if (status[0] === 'fenced') {
      const [, , , keys, epochs, nodes, holderEpochs] = status;
      for (let i = 0; i < keys!.length; i++) {
        const node = nodes![i];
        refused.set(fenceId(keys![i]!, Number(epochs![i])), node == null ? undefined : { nodeId: node, epoch: Number(holderEpochs![i]) });
      }
      continue;
    }
    if (locked) {
      // caught up under the lock and still not the head: PostgreSQL lost or changed rows this mirror has
      throw new StoreFailedError(
        `PostgreSQL's head (position ${status[1]}) is not this node's mirror's (${ctx.head().position}): the log in PostgreSQL ` +
          'lost or changed rows this node saw committed (a restore? a lagging replica promoted?); restart the node to rebuild its mirror',
      );
    }
    locked = true; // 'moved': another node committed since the mirror's head
  }
  throw new Error(`commit gave up after ${MAX_ATTEMPTS} attempts (fences refused one after another)`);
}

/** BEGIN, take the writers' lock, and copy into the mirror what other nodes committed before it. */
async function lockAndCatchUp(client: pg.PoolClient, ctx: CommitContext): Promise<void> {
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock($1)', [WRITER_LOCK.toString()]);
  for (;;) {
    const rows = await readEventsAfter(client, ctx.head().position, 2000);
    ctx.ingest(rows);
    if (rows.length < 2000) return;
  }
}

function callCommit(client: pg.PoolClient, nodeId: string, plan: CommitPlan, batch: PgBatch): Promise<Status> {
  const e = plan.events;
  const s = plan.streams;
  const side = batch.side;
  const snaps = [...side.snapshots.values()];
  const set = [...side.timers.values()].filter((r) => r !== null);
  const cleared = [...side.timers.entries()].filter(([, r]) => r === null).map(([key]) => key.split('\u0000') as [string, string]);
  const audit = batch.audit;
  return client
    .query<Status>({
      name: 'aintegrix_commit',
      text: `SELECT * FROM aintegrix_commit(${Array.from({ length: 38 }, (_, i) => `$${i + 1}`).join(', ')})`,
      rowMode: 'array',
      values: [
        nodeId, plan.head.position, plan.head.hash, plan.fences.map((f) => f.key), plan.fences.map((f) => f.epoch),
        e.map((x) => x.position), e.map((x) => x.streamId), e.map((x) => x.streamPosition), e.map((x) => x.type), e.map((x) => x.at),
        e.map((x) => x.dataText), e.map((x) => x.metaText), e.map((x) => x.prevHash), e.map((x) => x.hash),
        s.map((x) => x.id), s.map((x) => x.type), s.map((x) => x.base), s.map((x) => x.version), s.map((x) => x.created), s.map((x) => x.lastType),
        snaps.map((r) => r.stream_id), snaps.map((r) => r.stream_position), snaps.map((r) => r.machine_version), snaps.map((r) => r.snapshot),
        set.map((r) => r.stream_id), set.map((r) => r.timer_id), set.map((r) => r.due_at), set.map((r) => r.event),
        cleared.map((c) => c[0]), cleared.map((c) => c[1]),
        [...side.checkpoints.keys()], [...side.checkpoints.values()],
        audit.map((c) => c.seq), audit.map((c) => c.position), audit.map((c) => c.hash), audit.map((c) => c.at), audit.map((c) => c.keyId), audit.map((c) => c.mac),
      ],
    })
    .then((r) => r.rows[0]!);
}
