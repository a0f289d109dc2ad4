// `aintegrix audit verify|export` offline: on a consistent copy of a running gateway's database, to stdout and to a
// file, piped into a reader that stops early, and refusing files it cannot read correctly. The file is only read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEventStore } from '../../src/store/index.js';
import { CLI_ENTRY } from '../helpers/paths.js';
import { says, startTestGateway } from '../helpers/gateway.js';
import { assertIncreasing, backupCopy, exportRest, parseNdjson, runCli } from './helpers.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'aix-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

test('verify and export a copy of a running gateway\'s database, to stdout and with --out', async (t) => {
  const dir = tempDir(t);
  const g = await startTestGateway();
  t.after(() => g.dispose());
  for (const text of ['first', 'second']) {
    const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
    assert.equal((await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says(text))).status, 200);
  }
  const copy = join(dir, 'copy.db');
  await backupCopy(g.gw.config.store.path, copy); // the gateway keeps running (and writing) meanwhile
  const reader = new Database(copy, { readonly: true });
  const head = reader.prepare('SELECT max(position) AS p FROM events').get() as { p: number };
  reader.close();
  assert.ok(head.p > 10);
  const before = sha(copy);

  const v = await runCli(['audit', 'verify', '--db', copy]);
  assert.equal(v.code, 0, v.stderr);
  const verified = JSON.parse(v.stdout);
  assert.deepEqual([verified.ok, verified.checked, verified.checkpoints.mac], [true, head.p, 'unchecked']);

  const out = await runCli(['audit', 'export', '--db', copy]);
  assert.equal(out.code, 0, out.stderr);
  const lines = parseNdjson(out.stdout);
  assert.deepEqual(lines.map((l) => l.position), Array.from({ length: head.p }, (_, i) => i + 1));
  // the same lines as the live gateway exports for those positions
  const live = await exportRest(g, `until=${Date.now() + 60_000}`);
  assert.equal(live.text.split('\n').slice(0, head.p).join('\n') + '\n', out.stdout);

  const file = join(dir, 'export.ndjson');
  const prompts = await runCli(['audit', 'export', '--db', copy, '--type', 'PromptSubmitted', '--out', file]);
  assert.equal(prompts.code, 0, prompts.stderr);
  assert.equal(prompts.stdout, '');
  const fromFile = parseNdjson(readFileSync(file, 'utf8'));
  assert.deepEqual(fromFile, lines.filter((l) => l.type === 'PromptSubmitted'));
  assert.equal(fromFile.length, 2);

  const stream = lines.find((l) => l.type === 'PromptSubmitted')!.stream;
  const since = Date.parse(lines[3]!.at);
  const f = await runCli(['audit', 'export', '--db', copy, '--stream', stream, '--since', new Date(since).toISOString(), '--after', '2']);
  assert.equal(f.code, 0, f.stderr);
  const filtered = parseNdjson(f.stdout);
  assertIncreasing(filtered);
  assert.deepEqual(filtered, lines.filter((l) => l.stream === stream && Date.parse(l.at) >= since && l.position > 2));
  assert.ok(filtered.length > 0);

  assert.equal(sha(copy), before, 'the CLI never writes to the database file');
});

test('exit codes and messages: usage, missing file, not a log, unknown schema version', async (t) => {
  const dir = tempDir(t);
  const usage = await runCli(['audit', 'verify']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--db PATH is required/);
  assert.equal((await runCli(['audit', 'export', '--db', 'x.db', '--since', 'soon'])).code, 2);
  assert.equal((await runCli(['audit', 'export', '--db', 'x.db', '--bogus', '1'])).code, 2);
  assert.equal((await runCli(['audit', 'frobnicate'])).code, 2);
  assert.match((await runCli(['help'])).stdout, /audit verify --db PATH/);

  const missing = await runCli(['audit', 'verify', '--db', join(dir, 'missing.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot open .*missing\.db/);
  assert.equal(missing.stdout, '');

  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'not a database at all '.repeat(300));
  const notDb = await runCli(['audit', 'verify', '--db', junk]);
  assert.equal(notDb.code, 1);
  assert.match(notDb.stderr, /not an SQLite database/);

  const other = join(dir, 'other.db');
  const o = new Database(other);
  o.exec('CREATE TABLE things (x)');
  o.close();
  const notLog = await runCli(['audit', 'export', '--db', other]);
  assert.equal(notLog.code, 1);
  assert.match(notLog.stderr, /not an aintegrix event log/);
  const after = new Database(other, { readonly: true });
  assert.deepEqual(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), ['things'], 'nothing was migrated');
  after.close();

  const newer = join(dir, 'newer.db');
  const store = openEventStore({ path: newer });
  await store.appendToStream('session:x', 0, [{ type: 'Noted', data: {} }]);
  await store.close();
  const w = new Database(newer);
  w.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (99, ?, 0)').run('from the future');
  w.close();
  for (const sub of ['verify', 'export']) {
    const r = await runCli(['audit', sub, '--db', newer]);
    assert.equal(r.code, 1, sub);
    assert.match(r.stderr, /schema version 99, which this build does not know/, sub);
    assert.equal(r.stdout, '', sub);
  }
});

test('export piped into a reader that stops early (| head) ends quietly with exit 0', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'big.db');
  const store = openEventStore({ path: db, durability: 'fast' });
  const pad = 'p'.repeat(500);
  for (let i = 0; i < 4; i++) {
    await store.appendToStream(`session:s${i}`, 0, Array.from({ length: 1000 }, (_, j) => ({ type: 'Noted', data: { j, pad } })));
  }
  await store.close();
  // `head -n 1`: the reader takes the first chunk, then closes its end of the pipe (~2 MB are still to come).
  const child = spawn(process.execPath, [CLI_ENTRY, 'audit', 'export', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const first = await new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(b.toString('utf8'))));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.match(first, /^\{"position":1,/);
  assert.equal(stderr, '', 'no EPIPE error or stack trace');
  assert.equal(code, 0);

  // and the shell form, where the pipe status of the exporter is checked
  const sh = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI_ENTRY}" audit export --db "${db}" | head -n 2`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let shOut = '';
  let shErr = '';
  sh.stdout.setEncoding('utf8').on('data', (s: string) => (shOut += s));
  sh.stderr.setEncoding('utf8').on('data', (s: string) => (shErr += s));
  const shCode = await new Promise<number | null>((resolve) => sh.on('close', (c) => resolve(c)));
  assert.equal(shOut.split('\n').length, 3);
  assert.equal(shErr, '');
  assert.equal(shCode, 0);
});
