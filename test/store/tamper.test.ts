// SQLite only, but for the golden hashes and the empty log: the edits are made to the SQLite file (the postgres
// store's chain is checked in postgres-nodes.test.ts).
// Tamper evidence: the hash chain rule is what hash.ts documents, and verifyChain names the first changed or
// missing event, whether a row was edited, deleted, or cut off the end of the log.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { openEventStore } from '../../src/store/sqlite-event-store.js';
import { GENESIS_HASH, canonicalEventText, computeEventHash } from '../../src/store/hash.js';
import { STORE_KINDS, openTempStore, openTestStore } from './helpers.js';

/** A closed store file with `n` events over three streams. */
async function logWith(t: TestContext, n: number): Promise<string> {
  const { store, file } = openTempStore(t);
  for (let i = 1; i <= n; i++) {
    await store.appendToStream(`session:${i % 3}`, 'any', [{ type: 'Noted', data: { i, text: `event number ${i}` }, meta: { principal: 'p' } }]);
  }
  assert.deepEqual(store.verifyChain(), { ok: true, checked: n });
  await store.close();
  return file;
}

/** Edit the file behind the store's back, as an attacker with file access would. */
function tamper(file: string, sql: string): void {
  const db = new Database(file);
  db.exec(sql);
  db.close();
}

function verify(t: TestContext, file: string) {
  const store = openEventStore({ path: file });
  t.after(() => store.close());
  return store.verifyChain();
}

// Golden values: the chain rule of hash.ts pinned by data, not by a second copy of the code. They were computed
// outside this code base from the documented rule (SHA-256 of prev_hash + the canonical JSON array), so a change
// to the rule, the column order or the escaping fails here even if the writer and the verifier change together.
const GOLDEN_FIRST = {
  fields: { position: 1, streamId: 'session:golden', streamPosition: 1, type: 'SessionCreated', at: 1764330000000, dataText: '{"x":1}', metaText: '{}' },
  prevHash: GENESIS_HASH,
  hash: '5f4b6e028295d32833f7c6020bab4a5873dd8c34a3e697ae5d1222d7e3807c19',
};
const GOLDEN_ESCAPES = {
  fields: {
    position: 42,
    streamId: 'session:golden',
    streamPosition: 7,
    type: 'PermissionDecided',
    at: 1764330000000,
    dataText: '{"text":"ü \\"q\\" \\\\ \\n\\t é","n":1}',
    metaText: '{"principal":"alice"}',
  },
  prevHash: 'ab'.repeat(32),
  hash: 'ba0b8961204dd04ecf80d0dfd1d433b68b2b026be32fb01448d5038304bdea6c',
};

test('golden hashes: fixed events hash to pinned values', () => {
  assert.equal(GENESIS_HASH, '0'.repeat(64));
  assert.equal(computeEventHash(GOLDEN_FIRST.prevHash, GOLDEN_FIRST.fields), GOLDEN_FIRST.hash);
  assert.equal(
    canonicalEventText(GOLDEN_ESCAPES.fields),
    '[42,"session:golden",7,"PermissionDecided",1764330000000,"{\\"text\\":\\"ü \\\\\\"q\\\\\\" \\\\\\\\ \\\\n\\\\t é\\",\\"n\\":1}","{\\"principal\\":\\"alice\\"}"]',
  );
  assert.equal(computeEventHash(GOLDEN_ESCAPES.prevHash, GOLDEN_ESCAPES.fields), GOLDEN_ESCAPES.hash);
});

test('golden hashes: a log written by hand with the pinned hash verifies, and the store continues its chain', async (t) => {
  const { store, file } = openTempStore(t);
  await store.close();
  const f = GOLDEN_FIRST.fields;
  const db = new Database(file);
  db.prepare('INSERT INTO events (position, stream_id, stream_position, type, data, meta, at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(f.position, f.streamId, f.streamPosition, f.type, f.dataText, f.metaText, f.at, GOLDEN_FIRST.prevHash, GOLDEN_FIRST.hash);
  db.prepare('INSERT INTO streams (stream_id, stream_type, version, created_position, last_type) VALUES (?, ?, ?, ?, ?)').run(f.streamId, 'session', 1, 1, f.type);
  db.close();
  const reopened = openEventStore({ path: file });
  t.after(() => reopened.close());
  assert.deepEqual(reopened.verifyChain(), { ok: true, checked: 1 });
  assert.deepEqual(reopened.head(), { position: 1, hash: GOLDEN_FIRST.hash });
  // the writer links its first event to the pinned hash, and stores the hash of what it stored
  await reopened.appendToStream(f.streamId, 1, [{ type: 'First', data: { a: 'ü\n"x"' }, meta: { principal: 'alice' } }]);
  const [, e2] = reopened.readAll(0, 2);
  assert.equal(e2!.prevHash, GOLDEN_FIRST.hash);
  assert.equal(e2!.hash, computeEventHash(e2!.prevHash, e2!));
  assert.deepEqual(reopened.verifyChain(), { ok: true, checked: 2 });
});

test('one flipped byte in one event\'s data is found at that position', async (t) => {
  const file = await logWith(t, 20);
  // "event number 7" -> "event number 8": one byte of the stored JSON text changes.
  tamper(file, `UPDATE events SET data = replace(data, 'number 7', 'number 8') WHERE position = 7`);
  const r = verify(t, file);
  assert.equal(r.ok, false);
  assert.ok(!r.ok);
  assert.equal(r.firstBadPosition, 7);
  assert.equal(r.checked, 6);
  assert.match(r.reason, /hash/);
});

test('changed meta, type or time is found too', async (t) => {
  for (const [column, sql] of [
    ['meta', `UPDATE events SET meta = '{"principal":"q"}' WHERE position = 3`],
    ['type', `UPDATE events SET type = 'Forged' WHERE position = 3`],
    ['at', `UPDATE events SET at = at + 1 WHERE position = 3`],
    ['stream_id', `UPDATE events SET stream_id = 'session:9' WHERE position = 3`],
  ] as const) {
    const file = await logWith(t, 5);
    tamper(file, sql);
    const r = verify(t, file);
    assert.ok(!r.ok, `${column} change not detected`);
    assert.equal(r.firstBadPosition, 3, column);
  }
});

test('a re-hashed forged row still breaks the link to the next event', async (t) => {
  const file = await logWith(t, 5);
  // The forger recomputes the hash of row 2 after changing it, but cannot change the rest of the chain.
  const db = new Database(file);
  const row = db.prepare('SELECT * FROM events WHERE position = 2').get() as Record<string, string | number>;
  const data = '{"i":2,"text":"forged"}';
  const hash = computeEventHash(String(row.prev_hash), {
    position: Number(row.position), streamId: String(row.stream_id), streamPosition: Number(row.stream_position),
    type: String(row.type), at: Number(row.at), dataText: data, metaText: String(row.meta),
  });
  db.prepare('UPDATE events SET data = ?, hash = ? WHERE position = 2').run(data, hash);
  db.close();
  const r = verify(t, file);
  assert.ok(!r.ok);
  assert.equal(r.firstBadPosition, 3);
  assert.match(r.reason, /prev_hash/);
});

test('a deleted row is found at its position', async (t) => {
  const file = await logWith(t, 12);
  tamper(file, 'DELETE FROM events WHERE position = 5');
  const r = verify(t, file);
  assert.ok(!r.ok);
  assert.equal(r.firstBadPosition, 5);
  assert.equal(r.checked, 4);
  assert.match(r.reason, /missing/);
});

test('the first row deleted, and rows cut off the end, are found', async (t) => {
  const first = await logWith(t, 6);
  tamper(first, 'DELETE FROM events WHERE position = 1');
  const r1 = verify(t, first);
  assert.ok(!r1.ok);
  assert.equal(r1.firstBadPosition, 1);

  const tail = await logWith(t, 6);
  tamper(tail, 'DELETE FROM events WHERE position >= 5');
  const r2 = verify(t, tail);
  assert.ok(!r2.ok);
  assert.equal(r2.firstBadPosition, 5);
  assert.match(r2.reason, /removed/);
});

for (const kind of STORE_KINDS) test(`${kind}: an empty log verifies`, async (t) => {
  const { store } = await openTestStore(t, kind);
  assert.deepEqual(store.verifyChain(), { ok: true, checked: 0 });
});

test('the streams table must agree with the stream versions folded from the chain', async (t) => {
  // logWith: session:1 holds positions 1, 4, 7, ...; session:2 2, 5, 8, ...; session:0 3, 6, 9, ...
  for (const [what, sql, position, reason] of [
    ['a version too low', `UPDATE streams SET version = version - 1 WHERE stream_id = 'session:1'`, 1, /recorded version 3 does not match its 4 stored events/],
    ['a version too high', `UPDATE streams SET version = version + 1 WHERE stream_id = 'session:2'`, 13, /events after position 12 were removed/],
    ['a wrong first position', `UPDATE streams SET created_position = 4 WHERE stream_id = 'session:1'`, 1, /recorded first position 4 is not its first event's \(1\)/],
    ['a wrong last event type', `UPDATE streams SET last_type = 'Other' WHERE stream_id = 'session:2'`, 11, /session:2: recorded last event type "Other" is not its last event's/],
    ['a stream without events', `INSERT INTO streams (stream_id, stream_type, version, created_position) VALUES ('session:9', 'session', 0, 13)`, 13, /session:9/],
    ['a stream missing', `DELETE FROM streams WHERE stream_id = 'session:0'`, 3, /missing from the streams table/],
  ] as const) {
    const file = await logWith(t, 12);
    tamper(file, sql);
    const r = verify(t, file);
    assert.ok(!r.ok, what);
    assert.equal(r.firstBadPosition, position, what);
    assert.match(r.reason, reason, what);
  }
});
