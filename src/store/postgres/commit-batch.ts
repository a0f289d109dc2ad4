// One group commit on PostgreSQL: every append queued in one event-loop turn (plus the side writes) in ONE
// transaction. pg_advisory_xact_lock(WRITER_LOCK) serialises the writers of every node, so positions stay gap-free
// and there is one hash chain: the head is read under the lock, positions and hashes are assigned here (the same
// rule as the SQLite store, hash.ts), expected versions are checked against pg_streams in call order, fences
// against `leases`. The rows other nodes committed since this node's mirror head are read in the same transaction,
// so the node can copy them into its mirror before its own (no gap). NOTIFY goes out with the COMMIT.
import type pg from 'pg';
import { FencedError } from '../errors.js';
import { GENESIS_HASH, computeEventHash } from '../hash.js';
import type { SideWrites } from '../pending-writes.js';
import { StoredEvent } from '../recorded-event.js';
import type { AppendFence, AppendResult, AuditCheckpoint, ExpectedVersion } from '../types.js';
import type { SerialisedEvent } from '../validate-append.js';
import type { Head } from '../write-batch.js';
import { readEventsAfter } from './pg-reads.js';
import { NOTIFY_CHANNEL, WRITER_LOCK } from './schema.js';

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

export interface PgBatchOutcome {
  /** per append: its result, or the FencedError it is refused with */
  results: (AppendResult | FencedError)[];
  /** rows other nodes committed after `mirrorHead`, before this batch */
  before: StoredEvent[];
  /** this batch's rows */
  events: StoredEvent[];
}

function isConflict(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return false;
  if (expected === 'exists') return actual === 0;
  return expected !== actual;
}

/** Run the batch's transaction on `client` (BEGIN ... COMMIT); on any error it is rolled back and rethrown. */
export async function commitBatch(client: pg.ClientBase, batch: PgBatch, nodeId: string, mirrorHead: number): Promise<PgBatchOutcome> {
  await client.query('BEGIN');
  try {
    const outcome = await writeBatch(client, batch, nodeId, mirrorHead);
    await client.query('COMMIT');
    return outcome;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function writeBatch(client: pg.ClientBase, batch: PgBatch, nodeId: string, mirrorHead: number): Promise<PgBatchOutcome> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [WRITER_LOCK.toString()]);
  const headRow = (await client.query<[number, string, number]>({
    text: 'SELECT position, hash, at FROM pg_events ORDER BY position DESC LIMIT 1',
    rowMode: 'array',
  })).rows[0];
  const head: Head = headRow ? { position: headRow[0], hash: headRow[1], at: headRow[2] } : { position: 0, hash: GENESIS_HASH, at: 0 };
  const before = head.position > mirrorHead ? await readEventsAfter(client, mirrorHead, head.position - mirrorHead, head.position) : [];

  const streamIds = [...new Set(batch.appends.map((a) => a.streamId))];
  const versions = new Map<string, number>();
  if (streamIds.length > 0) {
    const r = await client.query<[string, number]>({ text: 'SELECT stream_id, version FROM pg_streams WHERE stream_id = ANY($1::text[])', values: [streamIds], rowMode: 'array' });
    for (const [id, v] of r.rows) versions.set(id, v);
  }
  const leaseKeys = [...new Set(batch.appends.flatMap((a) => (a.fence ? [a.fence.key] : [])))];
  const leases = new Map<string, { nodeId: string; epoch: number }>();
  if (leaseKeys.length > 0) {
    const r = await client.query<[string, string, number]>({ text: 'SELECT key, node_id, epoch FROM leases WHERE key = ANY($1::text[])', values: [leaseKeys], rowMode: 'array' });
    for (const [key, holder, epoch] of r.rows) leases.set(key, { nodeId: holder, epoch });
  }

  // One commit time for the batch, never before the previous one's (readers binary-search time ranges).
  const at = Math.max(Date.now(), head.at);
  let position = head.position;
  let prevHash = head.hash;
  const results: (AppendResult | FencedError)[] = new Array(batch.appends.length);
  const events: StoredEvent[] = [];
  const streams = new Map<string, { type: string; version: number; created: number; lastType: string }>();
  for (let i = 0; i < batch.appends.length; i++) {
    const op = batch.appends[i]!;
    if (op.fence) {
      const holder = leases.get(op.fence.key);
      if (!holder || holder.nodeId !== nodeId || holder.epoch !== op.fence.epoch) {
        results[i] = new FencedError(op.streamId, op.fence, holder);
        continue;
      }
    }
    const actual = versions.get(op.streamId) ?? 0;
    if (isConflict(op.expected, actual)) {
      results[i] = { ok: false, reason: 'conflict', expected: op.expected, actual };
      continue;
    }
    const firstPosition = position + 1;
    const appended: StoredEvent[] = new Array(op.events.length);
    for (let j = 0; j < op.events.length; j++) {
      const e = op.events[j]!;
      position += 1;
      const streamPosition = actual + j + 1;
      const hash = computeEventHash(prevHash, { position, streamId: op.streamId, streamPosition, type: e.type, at, dataText: e.dataText, metaText: e.metaText });
      const stored = new StoredEvent(position, op.streamId, streamPosition, e.type, at, e.dataText, e.metaText, prevHash, hash);
      appended[j] = stored;
      events.push(stored);
      prevHash = hash;
    }
    const version = actual + op.events.length;
    versions.set(op.streamId, version);
    const s = streams.get(op.streamId);
    if (s) {
      s.version = version;
      s.lastType = appended[appended.length - 1]!.type;
    } else {
      streams.set(op.streamId, { type: op.streamType, version, created: firstPosition, lastType: appended[appended.length - 1]!.type });
    }
    results[i] = { ok: true, firstPosition, lastPosition: position, streamVersion: version, events: appended };
  }

  if (events.length > 0) {
    await client.query(
      'INSERT INTO pg_events (position, stream_id, stream_position, type, at, data_text, meta_text, prev_hash, hash) ' +
        'SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[])',
      [
        events.map((e) => e.position), events.map((e) => e.streamId), events.map((e) => e.streamPosition), events.map((e) => e.type),
        events.map((e) => e.at), events.map((e) => e.dataText), events.map((e) => e.metaText), events.map((e) => e.prevHash), events.map((e) => e.hash),
      ],
    );
    const ids = [...streams.keys()];
    const rows = [...streams.values()];
    // created_position is kept for an existing stream: only version and last_type move
    await client.query(
      'INSERT INTO pg_streams (stream_id, stream_type, version, created_position, last_type) ' +
        'SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]) ' +
        'ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_type = excluded.last_type',
      [ids, rows.map((s) => s.type), rows.map((s) => s.version), rows.map((s) => s.created), rows.map((s) => s.lastType)],
    );
  }
  await writeSide(client, batch.side, batch.audit);
  if (events.length > 0) await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, String(position)]);
  return { results, before, events };
}

async function writeSide(client: pg.ClientBase, side: SideWrites, audit: readonly AuditCheckpoint[]): Promise<void> {
  if (side.snapshots.size > 0) {
    const rows = [...side.snapshots.values()];
    await client.query(
      'INSERT INTO pg_snapshots (stream_id, stream_position, machine_version, snapshot) ' +
        'SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) ' +
        'ON CONFLICT (stream_id) DO UPDATE SET stream_position = excluded.stream_position, ' +
        'machine_version = excluded.machine_version, snapshot = excluded.snapshot',
      [rows.map((r) => r.stream_id), rows.map((r) => r.stream_position), rows.map((r) => r.machine_version), rows.map((r) => r.snapshot)],
    );
  }
  if (side.timers.size > 0) {
    const set = [...side.timers.values()].filter((r) => r !== null);
    const cleared = [...side.timers.entries()].filter(([, r]) => r === null).map(([key]) => key.split('\u0000') as [string, string]);
    if (set.length > 0) {
      await client.query(
        'INSERT INTO pg_timers (stream_id, timer_id, due_at, event) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) ' +
          'ON CONFLICT (stream_id, timer_id) DO UPDATE SET due_at = excluded.due_at, event = excluded.event',
        [set.map((r) => r.stream_id), set.map((r) => r.timer_id), set.map((r) => r.due_at), set.map((r) => r.event)],
      );
    }
    if (cleared.length > 0) {
      await client.query(
        'DELETE FROM pg_timers t USING unnest($1::text[], $2::text[]) AS c(stream_id, timer_id) WHERE t.stream_id = c.stream_id AND t.timer_id = c.timer_id',
        [cleared.map((c) => c[0]), cleared.map((c) => c[1])],
      );
    }
  }
  if (side.checkpoints.size > 0) {
    await client.query(
      'INSERT INTO pg_checkpoints (processor_id, position) SELECT * FROM unnest($1::text[], $2::bigint[]) ' +
        'ON CONFLICT (processor_id) DO UPDATE SET position = excluded.position',
      [[...side.checkpoints.keys()], [...side.checkpoints.values()]],
    );
  }
  if (audit.length > 0) {
    // seq is per node's signer; a second node signing the same seq keeps the first row (see README)
    await client.query(
      'INSERT INTO pg_audit_checkpoints (seq, position, hash, at, key_id, mac) ' +
        'SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[]) ON CONFLICT (seq) DO NOTHING',
      [audit.map((c) => c.seq), audit.map((c) => c.position), audit.map((c) => c.hash), audit.map((c) => c.at), audit.map((c) => c.keyId), audit.map((c) => c.mac)],
    );
  }
}
