// The log as PostgreSQL holds it, for the audit (EventStore.readAuthority): one REPEATABLE READ, READ ONLY
// transaction (one consistent state while commits go on), the events walked through the chain check page by page
// (verify-chain.ts ChainWalker: the same rule as the SQLite file's walk), then pg_streams against the fold, then
// the signed checkpoints with the hash of the event each names, and the hashes at the positions asked for.
// Async and paged: a long log costs many short turns of the event loop, never one long one, and no memory beyond a page.
import type pg from 'pg';
import type { EventRow } from '../recorded-event.js';
import type { AuditCheckpoint, AuthorityState } from '../types.js';
import { ChainWalker, type StreamRowToCheck } from '../verify-chain.js';
import { PG_EVENT_COLUMNS } from './pg-reads.js';

const PAGE = 5000;

export async function readAuthority(pool: pg.Pool, positions: readonly number[]): Promise<AuthorityState> {
  const client = await pool.connect();
  const ignore = (): void => undefined; // a break while checked out also emits 'error'; the query rejects with it
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const state = await readState(client, positions);
    await client.query('COMMIT');
    return state;
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    client.off('error', ignore);
    client.release(broken); // a failed transaction's connection is not handed out again
  }
}

async function readState(client: pg.PoolClient, positions: readonly number[]): Promise<AuthorityState> {
  const walker = new ChainWalker();
  const walk = async (): Promise<void> => {
    for (let after = 0; ;) {
      const { rows } = await client.query<EventRow>({
        text: `SELECT ${PG_EVENT_COLUMNS} FROM pg_events WHERE position > $1 ORDER BY position LIMIT $2`,
        values: [after, PAGE],
        rowMode: 'array',
      });
      for (const row of rows) if (!walker.event(row)) return;
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]![0];
    }
    for (let after = -1; ;) {
      const { rows } = await client.query<StreamRowToCheck>(
        'SELECT stream_id, version, created_position, last_type FROM pg_streams WHERE created_position > $1 ORDER BY created_position LIMIT $2',
        [after, PAGE],
      );
      for (const row of rows) if (!walker.stream(row)) return;
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.created_position;
    }
  };
  await walk();
  const chain = walker.end();

  const checkpoints = (await client.query<[number, number, string, number, string, string, string | null]>({
    text: 'SELECT c.seq, c.position, c.hash, c.at, c.key_id, c.mac, e.hash FROM pg_audit_checkpoints c ' +
      'LEFT JOIN pg_events e ON e.position = c.position ORDER BY c.seq',
    rowMode: 'array',
  })).rows.map(([seq, position, hash, at, keyId, mac, eventHash]) => ({ checkpoint: { seq, position, hash, at, keyId, mac } satisfies AuditCheckpoint, eventHash }));
  const hashes = new Map<number, string>();
  if (positions.length > 0) {
    const { rows } = await client.query<[number, string]>({
      text: 'SELECT position, hash FROM pg_events WHERE position = ANY($1::bigint[])',
      values: [[...new Set(positions)]],
      rowMode: 'array',
    });
    for (const [p, h] of rows) hashes.set(p, h);
  }
  return { walk: chain, checkpoints, hashes };
}
