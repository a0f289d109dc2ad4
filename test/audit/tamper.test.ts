// A byte changed in the database underneath a running gateway — with SQL through a separate connection, and with
// the sqlite3 command-line tool — is named by verify (REST on the running gateway, which reads the database and not
// a cached result; the CLI on the file and on a copy), and the export still streams every event, the changed one too.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { backupCopy, exportRest, firstBadLine, parseNdjson, runCli } from './helpers.js';

/** Position of the PromptSubmitted event whose prompt contains `marker`. */
function promptPosition(g: TestGateway, marker: string): number {
  const e = [...g.gw.store.iterate({ type: 'PromptSubmitted' })].find((x) => x.dataText.includes(marker));
  assert.ok(e, `a PromptSubmitted with ${marker}`);
  return e.position;
}

/** Change one character of one event's stored data, through a connection of our own (not the gateway's). */
function replaceInData(file: string, position: number, from: string, to: string): void {
  assert.equal(from.length, to.length);
  const db = new Database(file, { timeout: 5000 });
  try {
    const before = db.prepare<[number], string>('SELECT data FROM events WHERE position = ?').pluck().get(position)!;
    const r = db.prepare('UPDATE events SET data = replace(data, ?, ?) WHERE position = ?').run(from, to, position);
    assert.equal(r.changes, 1);
    const after = db.prepare<[number], string>('SELECT data FROM events WHERE position = ?').pluck().get(position)!;
    assert.equal(after.length, before.length);
    assert.equal([...after].filter((c, i) => c !== before[i]).length, 1, 'exactly one character differs');
  } finally {
    db.close();
  }
}

async function expectBrokenAt(t: TestContext, g: TestGateway, position: number, marker: string): Promise<void> {
  const file = g.gw.config.store.path;
  const rest = await g.api('GET', '/api/v1/audit/verify');
  assert.equal(rest.status, 200);
  assert.deepEqual([rest.body.ok, rest.body.first_bad_position, rest.body.checked], [false, position, position - 1]);
  assert.match(rest.body.reason, /hash/);

  const live = await runCli(['audit', 'verify', '--db', file]); // read-only beside the running gateway
  assert.equal(live.code, 3, live.stderr);
  assert.deepEqual(JSON.parse(live.stdout), rest.body);
  const dir = mkdtempSync(join(tmpdir(), 'aix-tamper-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const copy = join(dir, 'copy.db');
  await backupCopy(file, copy);
  const offline = await runCli(['audit', 'verify', '--db', copy]);
  assert.equal(offline.code, 3, offline.stderr);
  assert.equal(JSON.parse(offline.stdout).first_bad_position, position);

  // The export does not stop at the damage: every position, the changed row as it is now stored.
  const head = g.gw.store.headPosition();
  const exported = await exportRest(g);
  assert.equal(exported.status, 200);
  const lines = parseNdjson(exported.text);
  assert.deepEqual(lines.map((l) => l.position), Array.from({ length: head }, (_, i) => i + 1));
  assert.ok(JSON.stringify(lines[position - 1]!.data).includes(marker), 'the tampered row is exported as stored');
  assert.equal(firstBadLine(lines), position, 'an auditor finds the same position in the export');
  const fromCopy = await runCli(['audit', 'export', '--db', copy]);
  assert.equal(fromCopy.code, 0, fromCopy.stderr);
  assert.equal(parseNdjson(fromCopy.stdout).length, head);
}

test('tampering under a running gateway is found at its position; the export still streams', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const file = g.gw.config.store.path;
  for (const text of ['alpha marker-one', 'beta marker-two', 'gamma']) {
    const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
    assert.equal((await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says(text))).status, 200);
  }
  assert.equal((await g.api('GET', '/api/v1/audit/verify')).body.ok, true);

  await t.test('a byte changed with SQL through a separate connection', async (t) => {
    const p = promptPosition(g, 'marker-one');
    replaceInData(file, p, 'marker-one', 'marker-onE');
    await expectBrokenAt(t, g, p, 'marker-onE');
    // Put the byte back: the chain is whole again, and the gateway still reads the file, not a remembered answer.
    replaceInData(file, p, 'marker-onE', 'marker-one');
    const whole = (await g.api('GET', '/api/v1/audit/verify')).body;
    assert.deepEqual([whole.ok, whole.checked], [true, g.gw.store.headPosition()]);
  });

  await t.test('a byte changed with the sqlite3 command-line tool', async (t) => {
    // the tool an auditor would use; make test installs it (scripts/ensure-system-packages.sh): missing is a failure
    assert.ok(!spawnSync('sqlite3', ['-version']).error, 'sqlite3 is not on PATH: install it (as root: apt-get install sqlite3)');
    const p = promptPosition(g, 'marker-two');
    const r = spawnSync('sqlite3', [
      '-cmd', '.timeout 5000', file,
      `UPDATE events SET data = replace(data, 'marker-two', 'marker-twO') WHERE position = ${p}; SELECT changes();`,
    ], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '1');
    await expectBrokenAt(t, g, p, 'marker-twO');
  });
});
