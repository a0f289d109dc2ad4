// Opening a log an older build wrote: the migrations bring it to this build's schema without losing or changing
// anything. The fixture is a real log at schema version 2 (before each stream's last event type was kept in its
// streams row), dumped as text so that a change to it reads as one in review.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { openEventStore } from '../../src/store/sqlite-event-store.js';
import { tempDir } from './helpers.js';

// compiled to dist/test/store: the dump stays beside this file's source
const dump = fileURLToPath(new URL('../../../test/store/fixtures/schema-v2.sql', import.meta.url));

function logAtSchemaV2(dir: string): string {
  const file = path.join(dir, 'v2.db');
  const db = new Database(file);
  db.exec(readFileSync(dump, 'utf8'));
  db.pragma('journal_mode = WAL');
  db.close();
  return file;
}

test('a log at schema version 2 is migrated: every stream gets its last event type, the chain still verifies', async (t) => {
  const file = logAtSchemaV2(tempDir(t));
  const before = new Database(file, { readonly: true });
  assert.equal(before.prepare('SELECT max(version) FROM schema_migrations').pluck().get(), 2);
  const events = before.prepare('SELECT * FROM events ORDER BY position').all();
  before.close();

  const store = openEventStore({ path: file });
  t.after(() => store.close());
  assert.ok(SCHEMA_VERSION >= 3);
  assert.deepEqual(store.verifyChain(), { ok: true, checked: 7 });
  assert.deepEqual(Object.fromEntries(store.lastEventTypes('session:')), { 'session:a': 'TurnEnded', 'session:b': 'SessionClosed' });
  assert.deepEqual(Object.fromEntries(store.lastEventTypes('agent:')), { 'agent:demo:1': 'AgentExited' });
  assert.deepEqual(
    store.listStreams().map((s) => [s.streamId, s.version, s.createdPosition]),
    [['session:a', 3, 1], ['agent:demo:1', 2, 3], ['session:b', 2, 6]],
  );

  // the store carries on: the hash chain continues and the new column follows each commit
  const r = await store.appendToStream('session:a', 3, [{ type: 'PromptSent', data: { text: 'again' } }]);
  assert.ok(r.ok);
  assert.equal(r.firstPosition, 8);
  assert.equal(store.lastEventTypes('session:').get('session:a'), 'PromptSent');
  await store.appendToStream('agent:demo:2', 0, [{ type: 'AgentStarted', data: { pid: 2 } }]);
  assert.equal(store.lastEventTypes('agent:').get('agent:demo:2'), 'AgentStarted');
  assert.deepEqual(store.verifyChain(), { ok: true, checked: 9 });
  await store.close();

  const after = new Database(file, { readonly: true });
  t.after(() => after.close());
  assert.equal(after.prepare('SELECT max(version) FROM schema_migrations').pluck().get(), SCHEMA_VERSION);
  assert.deepEqual(after.prepare('SELECT * FROM events WHERE position <= 7 ORDER BY position').all(), events, 'old rows untouched');
});

test('a stream whose last event is gone gets no last type from the migration: boot treats it as unknown, verify reports it', async (t) => {
  const file = logAtSchemaV2(tempDir(t));
  const db = new Database(file);
  db.exec("DELETE FROM events WHERE stream_id = 'agent:demo:1' AND stream_position = 2");
  db.close();
  const store = openEventStore({ path: file });
  t.after(() => store.close());
  assert.equal(store.lastEventTypes('agent:').has('agent:demo:1'), false, 'unknown, so a restart restores it rather than skip it');
  const verdict = store.verifyChain();
  assert.equal(verdict.ok, false);
});
