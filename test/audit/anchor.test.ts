// The audit log's anchor, tried as an attacker with write access to the database file would: events cut off the
// end with the `streams` table fixed to match (and the checkpoints that sign them deleted too), an event rewritten
// with every later hash recomputed, checkpoints forged without the key. Each is caught — by the signed checkpoints
// in the database, or, once those are deleted as well, by the sink outside it or an expected head — over REST on
// a gateway restarted on the tampered file and offline with `aintegrix audit verify --key-file --sink
// --expect-head`. The hash chain alone (what verify checked before) passes every one of these logs.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openReadOnlyLog } from '../../src/audit/index.js';
import { says, startTestGateway } from '../helpers/gateway.js';
import { backupCopy, firstBadLine, parseNdjson, runCli } from './helpers.js';

interface CheckpointRow {
  seq: number;
  position: number;
  hash: string;
  mac: string;
}

interface AnchoredLog {
  dir: string;
  file: string;
  keyFile: string;
  sink: string;
  audit: Record<string, unknown>;
  head: { position: number; hash: string };
  checkpoints: CheckpointRow[];
  promptPositions: number[];
}

/** A gateway's log after real sessions and a clean shutdown, with checkpoints every few events and a sink file. */
async function anchoredLog(t: TestContext): Promise<AnchoredLog> {
  const dir = mkdtempSync(join(tmpdir(), 'aix-anchor-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sink = join(dir, 'checkpoints.ndjson'); // outside the data dir
  const audit = { checkpoint_every_events: 8, sink: { file: sink } };
  const g = await startTestGateway({ dir, audit });
  try {
    const sessions: string[] = [];
    for (const text of ['first plan', 'second plan', 'third plan', 'fourth plan']) {
      if (sessions.length < 2) sessions.push((await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id);
      const id = sessions[text.length % 2]!;
      assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says(text))).status, 200);
    }
    const live = await g.api('GET', '/api/v1/audit/verify');
    assert.equal(live.status, 200);
    assert.equal(live.body.ok, true, JSON.stringify(live.body));
    assert.ok(live.body.checkpoints.count >= 2, 'checkpoints were signed while the gateway ran');
    assert.equal(live.body.checkpoints.sink, live.body.checkpoints.count, 'each one also went to the sink');
    assert.equal(live.body.checkpoints.mac, 'verified');
  } finally {
    await g.close(); // clean shutdown: one last checkpoint signs the head
  }
  const file = join(dir, 'data', 'aintegrix.db');
  const db = new Database(file, { readonly: true });
  try {
    const [position, hash] = db.prepare('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1').raw().get() as [number, string];
    const checkpoints = db.prepare('SELECT seq, position, hash, mac FROM audit_checkpoints ORDER BY seq').all() as CheckpointRow[];
    const promptPositions = db.prepare("SELECT position FROM events WHERE type = 'PromptSubmitted' ORDER BY position").pluck().all() as number[];
    assert.deepEqual(checkpoints.at(-1)!.position, position, 'the log at rest is anchored to its last event');
    return { dir, file, keyFile: join(dir, 'data', 'audit-key'), sink, audit, head: { position, hash }, checkpoints, promptPositions };
  } finally {
    db.close();
  }
}

/** A consistent copy of the log to tamper with, so each attack starts from the same untouched file. */
async function copyOf(log: AnchoredLog, name: string): Promise<string> {
  const copy = join(log.dir, `${name}.db`);
  await backupCopy(log.file, copy);
  return copy;
}

function sql(file: string, text: string): void {
  const db = new Database(file);
  try {
    db.exec(text);
  } finally {
    db.close();
  }
}

/** Cut the log after `keep` and make the unhashed tables agree, as a careful attacker would. */
function truncateAndFix(file: string, keep: number): void {
  sql(file, `
    DELETE FROM events WHERE position > ${keep};
    DELETE FROM streams WHERE stream_id NOT IN (SELECT stream_id FROM events);
    UPDATE streams SET version = (SELECT max(e.stream_position) FROM events e WHERE e.stream_id = streams.stream_id);
    UPDATE streams SET last_type = (SELECT e.type FROM events e WHERE e.stream_id = streams.stream_id AND e.stream_position = streams.version);
    DELETE FROM snapshots;
  `);
}

/** Change one event's data and recompute its hash and every later one, with the documented rule (README). */
function rewriteAndRehash(file: string, position: number, from: string, to: string): void {
  const db = new Database(file);
  try {
    const changed = db.prepare('UPDATE events SET data = replace(data, ?, ?) WHERE position = ?').run(from, to, position);
    assert.equal(changed.changes, 1);
    let prev = db.prepare('SELECT hash FROM events WHERE position = ?').pluck().get(position - 1) as string;
    const rows = db.prepare('SELECT position, stream_id, stream_position, type, at, data, meta FROM events WHERE position >= ? ORDER BY position').raw().all(position) as [number, string, number, string, number, string, string][];
    const update = db.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE position = ?');
    db.transaction(() => {
      for (const [p, stream, sp, type, at, data, meta] of rows) {
        const hash = createHash('sha256').update(prev + JSON.stringify([p, stream, sp, type, at, data, meta]), 'utf8').digest('hex');
        update.run(prev, hash, p);
        prev = hash;
      }
    })();
  } finally {
    db.close();
  }
}

/** The chain alone, as verify checked it before checkpoints existed. */
function chainOnly(file: string) {
  const log = openReadOnlyLog(file);
  try {
    return log.verifyChain();
  } finally {
    log.close();
  }
}

async function verifyCli(file: string, ...flags: string[]) {
  const r = await runCli(['audit', 'verify', '--db', file, ...flags]);
  assert.ok(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  assert.equal(r.code, report.ok ? 0 : 3, 'exit 0 when ok, 3 when broken');
  return report;
}

test('an untouched log verifies with its checkpoints, its sink and its head; a wrong key or a changed MAC does not', async (t) => {
  const log = await anchoredLog(t);
  const headText = `${log.head.position}:${log.head.hash}`;
  const ok = await verifyCli(log.file, '--key-file', log.keyFile, '--sink', log.sink, '--expect-head', headText);
  assert.deepEqual(ok, {
    ok: true,
    checked: log.head.position,
    head: headText,
    checkpoints: { count: log.checkpoints.length, last_position: log.head.position, sink: log.checkpoints.length, mac: 'verified' },
  });
  const sinkLines = readFileSync(log.sink, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(sinkLines.map((l) => [l.seq, l.position, l.hash, l.mac]), log.checkpoints.map((c) => [c.seq, c.position, c.hash, c.mac]));
  const earlier = log.checkpoints[0]!;
  assert.equal((await verifyCli(log.file, '--expect-head', `${earlier.position}:${earlier.hash}`)).ok, true, 'an earlier head is still held');

  await t.test('an export and its checkpoints re-verify with the key alone, by the documented rules (no database)', async () => {
    const exported = join(log.dir, 'export.ndjson');
    const signedFile = join(log.dir, 'export-checkpoints.ndjson');
    const r = await runCli(['audit', 'export', '--db', log.file, '--out', exported, '--checkpoints', signedFile]);
    assert.equal(r.code, 0, r.stderr);
    const lines = parseNdjson(readFileSync(exported, 'utf8'));
    assert.equal(firstBadLine(lines), undefined);
    const key = Buffer.from(readFileSync(log.keyFile, 'utf8').trim(), 'hex');
    const hmac = (text: string) => createHmac('sha256', key).update(text, 'utf8').digest('hex');
    const signed = parseNdjson(readFileSync(signedFile, 'utf8')) as unknown as { seq: number; position: number; hash: string; at: string; key_id: string; mac: string }[];
    assert.deepEqual(signed.map((c) => c.seq), log.checkpoints.map((c) => c.seq));
    for (const c of signed) {
      assert.equal(c.key_id, hmac('aintegrix-audit-key-id').slice(0, 16));
      assert.equal(c.mac, hmac(JSON.stringify(['aintegrix-audit-checkpoint/1', c.seq, c.position, c.hash, Date.parse(c.at), c.key_id])));
      assert.equal(lines[c.position - 1]!.hash, c.hash, `checkpoint ${c.seq} signs the exported event at ${c.position}`);
    }
    assert.equal(signed.at(-1)!.position, lines.length, 'the last checkpoint signs the last exported event');
    const same = await runCli(['audit', 'export', '--db', log.file, '--out', exported, '--checkpoints', exported]);
    assert.equal(same.code, 2);
  });

  await t.test('a wrong key: every MAC fails, from the first position on', async () => {
    const wrong = join(log.dir, 'wrong-key');
    writeFileSync(wrong, 'ab'.repeat(32) + '\n', { mode: 0o600 });
    const r = await verifyCli(log.file, '--key-file', wrong);
    assert.equal(r.ok, false);
    assert.equal(r.first_bad_position, 1);
    assert.equal(r.checkpoint_seq, 1);
    assert.match(r.reason, /^audit checkpoint 1 was signed with another key \(key id [0-9a-f]{16}; the key given has id [0-9a-f]{16}\)$/);
  });

  await t.test('a checkpoint changed without the key: its MAC fails with the key (and goes unnoticed without it)', async () => {
    const copy = await copyOf(log, 'mac');
    const target = log.checkpoints[1]!;
    sql(copy, `UPDATE audit_checkpoints SET at = at + 1 WHERE seq = ${target.seq}`);
    const r = await verifyCli(copy, '--key-file', log.keyFile);
    assert.deepEqual([r.ok, r.checkpoint_seq, r.first_bad_position], [false, target.seq, log.checkpoints[0]!.position + 1]);
    assert.match(r.reason, /MAC that does not verify/);
    assert.equal((await verifyCli(copy)).ok, true, 'without the key only positions and hashes can be compared');
    assert.equal((await verifyCli(copy)).checkpoints.mac, 'unchecked');
  });

  await t.test('a checkpoint deleted from the middle of the table: a gap in the seqs', async () => {
    const copy = await copyOf(log, 'gap');
    sql(copy, 'DELETE FROM audit_checkpoints WHERE seq = 2');
    const r = await verifyCli(copy);
    assert.deepEqual([r.ok, r.checkpoint_seq, r.first_bad_position], [false, 2, log.checkpoints[0]!.position + 1]);
    assert.equal(r.reason, 'audit checkpoint 2 is missing from the database (deleted)');
  });

  await t.test('a bad --expect-head is a usage error; a missing key or sink file an error (exit 1)', async () => {
    for (const bad of ['12', `0:${log.head.hash}`, `1:${'A'.repeat(64)}`, `x:${log.head.hash}`]) {
      const r = await runCli(['audit', 'verify', '--db', log.file, '--expect-head', bad]);
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /--expect-head/);
    }
    const noKey = await runCli(['audit', 'verify', '--db', log.file, '--key-file', join(log.dir, 'nope')]);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /cannot read the audit key file/);
    const noSink = await runCli(['audit', 'verify', '--db', log.file, '--sink', join(log.dir, 'nope')]);
    assert.equal(noSink.code, 1);
    assert.match(noSink.stderr, /cannot read the audit sink/);
  });
});

test('events cut off the end with the streams table fixed: caught by the checkpoints; with those deleted too, by the sink or an expected head', async (t) => {
  const log = await anchoredLog(t);
  const keep = log.checkpoints[0]!.position + 1; // one event past the first checkpoint: every later one is gone
  assert.ok(keep < log.checkpoints.at(-1)!.position);
  const headText = `${log.head.position}:${log.head.hash}`;

  await t.test('checkpoints left in place: the log ends before one of them', async () => {
    const copy = await copyOf(log, 'cut');
    truncateAndFix(copy, keep);
    assert.deepEqual(chainOnly(copy), { ok: true, checked: keep }, 'the chain alone sees nothing wrong');
    for (const flags of [[], ['--key-file', log.keyFile]]) {
      const r = await verifyCli(copy, ...flags);
      assert.deepEqual([r.ok, r.first_bad_position, r.checked, r.checkpoint_seq], [false, keep + 1, keep, 2]);
      assert.match(r.reason, new RegExp(`^the log ends at position ${keep} but audit checkpoint 2 signed position \\d+: events ${keep + 1}\\.\\.\\d+ were removed$`));
    }
  });

  await t.test('the checkpoints after the cut deleted too: the sink and the expected head still know', async () => {
    const copy = await copyOf(log, 'cut-and-checkpoints');
    truncateAndFix(copy, keep);
    sql(copy, `DELETE FROM audit_checkpoints WHERE position > ${keep}`);
    // The database alone cannot tell any more (the documented limit: that is what the sink is for).
    assert.equal((await verifyCli(copy, '--key-file', log.keyFile)).ok, true);
    const bySink = await verifyCli(copy, '--key-file', log.keyFile, '--sink', log.sink);
    assert.deepEqual([bySink.ok, bySink.first_bad_position, bySink.checkpoint_seq], [false, keep + 1, 2]);
    assert.match(bySink.reason, /the sink's audit checkpoint 2 \(line 2\) signed position \d+: events \d+\.\.\d+ were removed/);
    const byHead = await verifyCli(copy, '--expect-head', headText);
    assert.deepEqual([byHead.ok, byHead.first_bad_position], [false, keep + 1]);
    assert.match(byHead.reason, new RegExp(`expected head ${log.head.position} is beyond the log's end \\(${keep}\\)`));
  });

  await t.test('over REST, on a gateway restarted on the tampered file: the configured sink, ?expect_head=', async () => {
    truncateAndFix(log.file, keep);
    sql(log.file, `DELETE FROM audit_checkpoints WHERE position > ${keep}`);
    const g = await startTestGateway({ dir: log.dir, audit: log.audit });
    t.after(() => g.close());
    const r = await g.api('GET', '/api/v1/audit/verify');
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, false);
    assert.match(r.body.reason, /the sink's audit checkpoint/);
    const h = await g.api('GET', `/api/v1/audit/verify?expect_head=${headText}`);
    assert.equal(h.body.ok, false);
    for (const bad of ['expect_head=1', 'expect_head=1:x', 'deep=1', `expect_head=${headText}&expect_head=${headText}`]) {
      const b = await g.api('GET', `/api/v1/audit/verify?${bad}`);
      assert.equal(b.status, 400, bad);
      assert.equal(b.body.error.code, 'invalid_request');
    }
  });
});

test('an event rewritten and every later hash recomputed: the chain verifies, the signed checkpoints do not', async (t) => {
  const log = await anchoredLog(t);
  const position = log.promptPositions[1]!; // "second plan"
  const before = [...log.checkpoints].reverse().find((c) => c.position < position);
  const expectedFirstBad = (before?.position ?? 0) + 1;

  await t.test('offline, with and without the key', async () => {
    const copy = await copyOf(log, 'rewritten');
    rewriteAndRehash(copy, position, 'second plan', 'forged plan');
    assert.deepEqual(chainOnly(copy), { ok: true, checked: log.head.position }, 'the chain alone sees nothing wrong');
    for (const flags of [['--key-file', log.keyFile], []]) {
      const r = await verifyCli(copy, ...flags);
      assert.deepEqual([r.ok, r.first_bad_position, r.checked], [false, expectedFirstBad, expectedFirstBad - 1]);
      assert.ok(r.first_bad_position <= position);
      assert.match(r.reason, /^the event at position \d+ does not have the hash audit checkpoint \d+ signed: the log was rewritten at or before position \d+$/);
    }
  });

  await t.test('the checkpoints re-pointed at the forged hashes: only the key tells', async () => {
    const copy = await copyOf(log, 'rewritten-and-repointed');
    rewriteAndRehash(copy, position, 'second plan', 'forged plan');
    sql(copy, 'UPDATE audit_checkpoints SET hash = (SELECT e.hash FROM events e WHERE e.position = audit_checkpoints.position)');
    assert.equal((await verifyCli(copy)).ok, true, 'without the key a forged table passes: the key is the anchor');
    const r = await verifyCli(copy, '--key-file', log.keyFile);
    assert.deepEqual([r.ok, r.first_bad_position], [false, expectedFirstBad]);
    assert.match(r.reason, /MAC that does not verify/);
  });

  await t.test('over REST, on a gateway restarted on the rewritten file', async () => {
    rewriteAndRehash(log.file, position, 'second plan', 'forged plan');
    const g = await startTestGateway({ dir: log.dir, audit: log.audit });
    t.after(() => g.close());
    const r = await g.api('GET', '/api/v1/audit/verify');
    assert.deepEqual([r.body.ok, r.body.first_bad_position], [false, expectedFirstBad]);
    assert.match(r.body.reason, /the log was rewritten/);
  });
});
