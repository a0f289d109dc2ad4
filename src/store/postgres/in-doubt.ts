// A commit whose outcome is unknown: the connection broke after the statement (or COMMIT) was sent, so PostgreSQL
// may or may not have committed it. It is settled from the table, never guessed: once the backend that ran it is
// gone or idle (an idle-in-transaction one can no longer commit and holds the writers' lock: it is terminated),
// the batch committed exactly when its last row is in pg_events with its hash (the hash covers the chain up to it,
// so no other commit can have that row). While PostgreSQL cannot be asked, the append waits up to `timeoutMs`, then
// fails saying the outcome is unknown; the next commit's head check, and catch-up, bring the rows into every
// mirror if they are there.
import type pg from 'pg';
import { StoreWriteError } from '../errors.js';
import type { StoredEvent } from '../recorded-event.js';
import { hashAt } from './pg-reads.js';

/** SQLSTATE classes after which the statement may have committed: connection exceptions, the server shutting down. */
const UNKNOWN_CLASSES = /^(08|57P)/;

/** Whether `err` leaves the commit's outcome unknown (a broken connection), as opposed to a refusal by the server. */
export function isOutcomeUnknown(err: unknown): boolean {
  const e = err as { severity?: unknown; code?: unknown } | undefined;
  // DatabaseError (an ErrorResponse from the server) has a severity: the statement failed, unless the server is
  // going away; anything else (ECONNRESET, "Connection terminated unexpectedly", a timeout) broke the connection
  if (e !== null && typeof e === 'object' && typeof e.severity === 'string' && typeof e.code === 'string') return UNKNOWN_CLASSES.test(e.code);
  return true;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `last` is committed; rejects with a StoreWriteError saying whether it is not, or still unknown. */
export async function settleInDoubt(pool: pg.Pool, pid: number | undefined, last: StoredEvent, timeoutMs: number, cause: unknown): Promise<void> {
  const lost = cause instanceof Error ? cause.message : String(cause);
  const deadline = Date.now() + timeoutMs;
  let asked: unknown;
  for (;;) {
    let verdict: boolean | undefined;
    try {
      verdict = await ask(pool, pid, last);
    } catch (err) {
      asked = err;
    }
    if (verdict === true) return;
    if (verdict === false) {
      throw new StoreWriteError(`the connection to PostgreSQL broke during the commit (${lost}); the log shows it did not commit`, { cause });
    }
    if (Date.now() >= deadline) {
      const why = asked instanceof Error ? asked.message : 'its backend is still running';
      throw new StoreWriteError(
        `the connection to PostgreSQL broke during the commit (${lost}) and whether it committed is unknown (${why}); ` +
          `if it did, its rows (up to position ${last.position}) appear in the log and in every mirror`,
        { cause },
      );
    }
    await sleep(100);
  }
}

/** true/false once the outcome is final; undefined while the backend still runs the commit. */
async function ask(pool: pg.Pool, pid: number | undefined, last: StoredEvent): Promise<boolean | undefined> {
  const client = await pool.connect();
  const ignore = (): void => undefined; // a break while checked out also emits 'error'; the query rejects with it
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    if (pid !== undefined) {
      const r = await client.query<{ state: string | null }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]);
      const state = r.rows[0]?.state;
      if (state === 'active' || state === 'fastpath function call') return undefined;
      if (state !== undefined && state !== null && state.startsWith('idle in transaction')) {
        await client.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
        return undefined; // asked again once it is gone
      }
    }
    return (await hashAt(client, last.position)) === last.hash;
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    client.off('error', ignore);
    client.release(broken);
  }
}
