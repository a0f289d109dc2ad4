// The postgres store when PostgreSQL fails under it: unreachable (the append fails clearly, nothing is
// acknowledged, the store carries on once it is back), a connection lost after the commit was sent (the outcome is
// settled from the table: committed means acknowledged, once, in order; not committed means a clear failure), and
// the server killed -9 mid-commit and restarted (every acknowledged append is in the log; the store reconnects; a
// mirror of a node that was down catches up with no gap and no duplicate). PostgreSQL is reached through a TCP
// proxy so a test can cut the network where it wants; it is a real server, and the rows are checked in its table.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { StoreWriteError } from '../../src/store/errors.js';
import { WRITER_LOCK } from '../../src/store/postgres/schema.js';
import type { EventStore } from '../../src/store/types.js';
import { eventually } from '../helpers/poll.js';
import { createTestDatabase, startPostgres } from '../helpers/postgres.js';
import { type TcpProxy, startTcpProxy } from '../helpers/tcp-proxy.js';
import { openNode, tempDir } from './helpers.js';

async function sql(t: { after(fn: () => unknown): void }, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.after(() => client.end());
  return client;
}

async function behindProxy(t: { after(fn: () => unknown): void }, url: string): Promise<{ proxy: TcpProxy; proxied: string }> {
  const proxy = await startTcpProxy(Number(new URL(url).port));
  t.after(() => proxy.close());
  const proxied = new URL(url);
  proxied.port = String(proxy.port);
  return { proxy, proxied: proxied.toString() };
}

const count = async (db: pg.Client): Promise<number> => Number((await db.query('SELECT count(*) AS n FROM pg_events')).rows[0].n);

/** The node's mirror is PostgreSQL's log, row for row and hash for hash, and the chain verifies. */
async function assertMirrorIsTheLog(store: EventStore, db: pg.Client): Promise<void> {
  const rows = (await db.query<{ position: string; hash: string }>('SELECT position, hash FROM pg_events ORDER BY position')).rows;
  await eventually(() => store.headPosition() === rows.length, 5000, `the mirror at ${rows.length}`);
  assert.deepEqual(store.readAll(0, 100_000).map((e) => [e.position, e.hash]), rows.map((r) => [Number(r.position), r.hash]));
  assert.deepEqual(store.verifyChain(), { ok: true, checked: rows.length });
}

test('PostgreSQL unreachable: the append fails saying so, nothing is acknowledged, the store carries on once it is back', async (t) => {
  const url = await createTestDatabase('unreachable');
  const { proxy, proxied } = await behindProxy(t, url);
  const db = await sql(t, url);
  const store = await openNode(t, proxied, { onError: () => undefined, connectTimeoutMs: 2000, inDoubtTimeoutMs: 1000 });
  await store.appendToStream('session:a', 0, [{ type: 'A', data: 1 }]);
  const committed: number[] = [];
  store.onCommitted((events) => committed.push(...events.map((e) => e.position)));

  proxy.hold();
  // the pool's open connections die with the network: a commit sent on one is in doubt, and stays unknown while
  // PostgreSQL cannot be asked; once every connection is new, the failure is plainly "unreachable, nothing sent"
  const messages: string[] = [];
  for (;;) {
    const err = await store.appendToStream('session:a', 1, [{ type: 'A', data: 2 }]).then(
      () => assert.fail('acknowledged while PostgreSQL was unreachable'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof StoreWriteError, String(err));
    messages.push(err.message);
    if (/PostgreSQL is unreachable/.test(err.message)) break;
    assert.match(err.message, /whether it committed is unknown/);
    assert.ok(messages.length < 5, messages.join('\n'));
  }
  assert.match(messages.at(-1)!, /commit of a batch of 1 append\(s\) failed: PostgreSQL is unreachable .*nothing was sent/);
  assert.equal(await count(db), 1);
  assert.equal(store.headPosition(), 1);
  assert.deepEqual(committed, []);

  proxy.release();
  const next = await store.appendToStream('session:a', 1, [{ type: 'A', data: 2 }]);
  assert.ok(next.ok);
  assert.equal(next.firstPosition, 2);
  assert.deepEqual(committed, [2]);
  await assertMirrorIsTheLog(store, db);
});

test('the answer to a commit is lost with the connection: the table says it committed, so it is acknowledged, once', async (t) => {
  const url = await createTestDatabase('lost-answer');
  const { proxy, proxied } = await behindProxy(t, url);
  const db = await sql(t, url);
  const store = await openNode(t, proxied, { onError: () => undefined });
  const other = await openNode(t, url, { nodeId: 'other' });
  await store.appendToStream('session:a', 0, [{ type: 'A', data: 1 }]);
  const committed: number[] = [];
  store.onCommitted((events) => committed.push(...events.map((e) => e.position)));

  proxy.loseResponses(); // the commit reaches PostgreSQL; its answer never comes back
  const pending = store.appendToStream('session:a', 1, [{ type: 'A', data: 2 }, { type: 'A', data: 3 }]);
  await eventually(async () => (await count(db)) === 3, 10_000, 'the commit in the table');
  proxy.dropAll(); // and the connection breaks: the store cannot know from the connection
  const r = await pending;
  assert.ok(r.ok);
  assert.deepEqual([r.firstPosition, r.lastPosition], [2, 3]);
  assert.deepEqual(committed, [2, 3], 'announced once');

  const next = await store.appendToStream('session:a', 3, [{ type: 'A', data: 4 }]);
  assert.ok(next.ok);
  assert.equal(next.firstPosition, 4);
  assert.deepEqual(committed, [2, 3, 4]);
  await assertMirrorIsTheLog(store, db);
  await assertMirrorIsTheLog(other, db);
});

test('a commit cut off before it ran: the table says it did not commit, the append fails saying so', async (t) => {
  const url = await createTestDatabase('cut-off');
  const db = await sql(t, url);
  const locker = await sql(t, url);
  const store = await openNode(t, url, { onError: () => undefined });
  await store.appendToStream('session:a', 0, [{ type: 'A', data: 1 }]);

  // the writers' lock is held elsewhere, so the commit waits inside PostgreSQL; its backend is then terminated
  await locker.query('SELECT pg_advisory_lock($1)', [WRITER_LOCK.toString()]);
  const pending = store.appendToStream('session:a', 1, [{ type: 'A', data: 2 }]);
  const waiting = "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%aintegrix_commit%'";
  await eventually(async () => (await db.query(waiting)).rowCount === 1, 10_000, 'the commit waiting for the lock');
  await db.query(`SELECT pg_terminate_backend(pid) FROM (${waiting}) w`);
  await locker.query('SELECT pg_advisory_unlock($1)', [WRITER_LOCK.toString()]);
  await assert.rejects(pending, (err: unknown) => {
    assert.ok(err instanceof StoreWriteError, String(err));
    assert.match(err.message, /connection to PostgreSQL broke during the commit .*the log shows it did not commit/);
    return true;
  });
  assert.equal(await count(db), 1);

  const next = await store.appendToStream('session:a', 1, [{ type: 'A', data: 2 }]);
  assert.ok(next.ok);
  assert.equal(next.firstPosition, 2);
  await assertMirrorIsTheLog(store, db);
});

test('PostgreSQL killed -9 mid-commit and restarted: every acknowledged append is in the log, the store carries on, a lagging mirror catches up', async (t) => {
  const server = await startPostgres({ durable: true }); // a commit PostgreSQL acknowledged survives its crash
  t.after(() => server.stop());
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE killed');
  await admin.end();
  const url = new URL(server.adminUrl);
  url.pathname = '/killed';
  const mirrorOfB = path.join(tempDir(t), 'b.db');
  const store = await openNode(t, url.toString(), { nodeId: 'a', onError: () => undefined, connectTimeoutMs: 1000, inDoubtTimeoutMs: 1000 });
  let b = await openNode(t, url.toString(), { nodeId: 'b', path: mirrorOfB, onError: () => undefined });
  await store.appendToStream('session:warm', 0, [{ type: 'A', data: 0 }]);
  await eventually(() => b.headPosition() === 1, 5000, 'b caught up');
  await b.close(); // node b is down while the database dies

  // eight writers append without pause; the server dies under them
  const acked: { first: number; last: number; writer: number; n: number }[] = [];
  const failures: unknown[] = [];
  let stop = false;
  const writer = async (w: number): Promise<void> => {
    let version = 0;
    for (let n = 0; !stop; n++) {
      try {
        const r = await store.appendToStream(`session:w${w}`, version, [{ type: 'A', data: { w, n } }, { type: 'B', data: { w, n } }]);
        if (!r.ok) throw new Error(`conflict on w${w}`);
        version = r.streamVersion;
        acked.push({ first: r.firstPosition, last: r.lastPosition, writer: w, n });
      } catch (err) {
        failures.push(err);
        if (!(err instanceof StoreWriteError)) throw err;
        version = store.streamVersion(`session:w${w}`); // what is really committed (and in the mirror)
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const writers = Array.from({ length: 8 }, (_, w) => writer(w));
  t.after(async () => {
    stop = true;
    await Promise.allSettled(writers);
  });
  await eventually(() => acked.length >= 200, 20_000, '200 acknowledged appends');
  await server.kill9!();
  await eventually(() => failures.length >= 8, 20_000, 'appends failing while the server is down');
  await server.restart!();
  const ackedBefore = acked.length;
  await eventually(() => acked.length >= ackedBefore + 100, 30_000, 'appends acknowledged again after the restart');
  stop = true;
  await Promise.all(writers);
  for (const f of failures) assert.ok(f instanceof StoreWriteError && /PostgreSQL/.test(f.message), String(f));

  const db = new pg.Client({ connectionString: url.toString() });
  db.on('error', () => undefined); // the server stops at the end of the test, maybe before this client ends
  await db.connect();
  t.after(() => db.end().catch(() => undefined));
  const rows = (await db.query<{ position: string; stream_id: string; data_text: string }>('SELECT position, stream_id, data_text FROM pg_events ORDER BY position')).rows;
  const byPosition = new Map(rows.map((r) => [Number(r.position), r]));
  for (const a of acked) {
    for (const p of [a.first, a.last]) {
      const row = byPosition.get(p);
      assert.ok(row, `acknowledged position ${p} is in the log`);
      assert.equal(row.stream_id, `session:w${a.writer}`);
      assert.deepEqual(JSON.parse(row.data_text), { w: a.writer, n: a.n });
    }
  }
  assert.deepEqual(rows.map((r) => Number(r.position)), rows.map((_, i) => i + 1), 'positions without a gap');
  await assertMirrorIsTheLog(store, db);
  b = await openNode(t, url.toString(), { nodeId: 'b', path: mirrorOfB, onError: () => undefined });
  await assertMirrorIsTheLog(b, db);
});
