// The audit of a postgres node verifies the log as PostgreSQL holds it, not the node's mirror: a mirror edited on
// the node's disk does not fool it (nor hide a good database), and a row, a streams entry or a signed checkpoint
// changed in PostgreSQL is found at its position. The walk pages through the tables (more rows than a page here).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { AuditKey } from '../../src/audit/audit-key.js';
import { verifyAuthority } from '../../src/audit/authority-verify.js';
import { checkpointMac } from '../../src/audit/checkpoint-mac.js';
import { formatHead } from '../../src/audit/expected-head.js';
import { openTestStore } from '../store/helpers.js';

test('a postgres node\'s audit walks PostgreSQL\'s log: an edited mirror does not fool it, an edit in the database is found', async (t) => {
  const { store, file, url } = await openTestStore(t, 'postgres');
  const key = new AuditKey(randomBytes(32), '/nowhere/audit-key');
  // more events than one page of the walk (5000), over a few streams
  for (let i = 0; i < 11; i++) {
    await store.appendToStream(`session:s${i % 3}`, 'any', Array.from({ length: 500 }, (_, j) => ({ type: 'Step', data: { i, j } })));
  }
  const head = store.head();
  const signed = { seq: 1, position: head.position, hash: head.hash, at: Date.now(), keyId: key.id };
  store.saveAuditCheckpoint({ ...signed, mac: checkpointMac(key.bytes, signed) });
  await store.flush();
  const source = store as Parameters<typeof verifyAuthority>[0];

  const good = await verifyAuthority(source, { key, expectHeads: [head] });
  assert.deepEqual(good.report, { ok: true, checked: 5500, head: formatHead(head), checkpoints: { count: 1, last_position: 5500, mac: 'verified' } });
  assert.deepEqual(good.expectedHeadFailures, {});

  // the mirror edited on the node's disk: the mirror's own check sees it, the audit (PostgreSQL's log) is still good
  const mirror = new Database(file);
  mirror.prepare(`UPDATE events SET data = '{"forged":true}' WHERE position = 42`).run();
  mirror.close();
  assert.equal(store.verifyChain().ok, false);
  assert.equal((await verifyAuthority(source, { key })).report.ok, true);

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  t.after(() => db.end());
  // an event changed in PostgreSQL
  await db.query(`UPDATE pg_events SET data_text = '{"forged":true}' WHERE position = 4321`);
  const forged = await verifyAuthority(source, { key });
  assert.equal(forged.report.ok, false);
  assert.equal(forged.report.first_bad_position, 4321);
  assert.equal(forged.report.checked, 4320);
  assert.match(forged.report.reason!, /row was changed/);
});

test('a postgres node\'s audit: the streams table, the signed checkpoints and an expected head are checked in PostgreSQL', async (t) => {
  const { store, url } = await openTestStore(t, 'postgres');
  const key = new AuditKey(randomBytes(32), '/nowhere/audit-key');
  await store.appendToStream('session:a', 0, [{ type: 'A', data: 1 }, { type: 'A', data: 2 }]);
  await store.appendToStream('session:b', 0, [{ type: 'B', data: 1 }]);
  const head = store.head();
  const signed = { seq: 1, position: head.position, hash: head.hash, at: Date.now(), keyId: key.id };
  store.saveAuditCheckpoint({ ...signed, mac: checkpointMac(key.bytes, signed) });
  await store.flush();
  const source = store as Parameters<typeof verifyAuthority>[0];
  const wrongHead = { position: 2, hash: 'f'.repeat(64) };
  const v = await verifyAuthority(source, { key, expectHeads: [head, wrongHead] });
  assert.equal(v.report.ok, true);
  assert.deepEqual(Object.keys(v.expectedHeadFailures), [formatHead(wrongHead)]);
  assert.match(v.expectedHeadFailures[formatHead(wrongHead)]!.reason!, /does not have the expected hash/);

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  t.after(() => db.end());
  await db.query("UPDATE pg_streams SET version = 1 WHERE stream_id = 'session:a'");
  const streams = await verifyAuthority(source, { key });
  assert.equal(streams.report.ok, false);
  assert.match(streams.report.reason!, /stream session:a: recorded version 1 does not match its 2 stored events/);
  await db.query("UPDATE pg_streams SET version = 2 WHERE stream_id = 'session:a'");

  await db.query("UPDATE pg_audit_checkpoints SET mac = repeat('0', 64) WHERE seq = 1");
  const checkpoint = await verifyAuthority(source, { key });
  assert.equal(checkpoint.report.ok, false);
  assert.equal(checkpoint.report.checkpoint_seq, 1);
  assert.equal(store.verifyChain().ok, true, 'the mirror alone would not have seen any of it');
});
