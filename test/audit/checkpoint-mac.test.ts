// The checkpoint rule as checkpoint-mac.ts documents it (an auditor recomputes the example from the text), the key
// file (generated once, 0600, never overwritten, its bytes never in a log line or a JSON rendering), and the sink's
// line format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditKey, AuditKeyError, loadOrCreateAuditKey, parseSink, readAuditKey, sinkLine } from '../../src/audit/index.js';
import { auditKeyId, checkpointMac, macProblem } from '../../src/audit/checkpoint-mac.js';
import { loadAnchorKey } from '../../src/gateway/audit-anchor.js';
import { createLogger } from '../../src/log/logger.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'aix-anchor-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest('hex');

test('the documented example: key 00..1f, seq 1, position 42, hash ab×32', () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  const keyId = hmac(key, 'aintegrix-audit-key-id').slice(0, 16);
  assert.equal(keyId, '8a7033aee1833046');
  assert.equal(auditKeyId(key), keyId);
  const fields = { seq: 1, position: 42, hash: 'ab'.repeat(32), at: 1764330000000, keyId };
  const text = JSON.stringify(['aintegrix-audit-checkpoint/1', 1, 42, 'ab'.repeat(32), 1764330000000, keyId]);
  assert.equal(checkpointMac(key, fields), hmac(key, text));
  assert.equal(checkpointMac(key, fields), 'f4811bfdbee52b42787de5bb05ba6680ba1c24952f4b013231dc2171aa563e18');
  const mac = checkpointMac(key, fields);
  assert.equal(macProblem(key, keyId, { ...fields, mac }), undefined);
  assert.match(macProblem(key, keyId, { ...fields, position: 43, mac })!, /does not verify/);
  assert.match(macProblem(key, keyId, { ...fields, mac: mac.replace(/^./, (c) => (c === '0' ? '1' : '0')) })!, /does not verify/);
  assert.match(macProblem(key, keyId, { ...fields, mac: 'not hex' })!, /does not verify/);
  const other = Buffer.alloc(32, 7);
  assert.match(macProblem(other, auditKeyId(other), { ...fields, mac })!, /another key \(key id 8a7033aee1833046; the key given has id /);
});

test('the key file: generated once (0600, 64 hex digits), then read; the key never shows in a log line or JSON', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'nested', 'audit-key');
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
  const first = loadAnchorKey({ audit: { key_file: path, checkpoint_every_events: 1, checkpoint_every_secs: 1, sink: undefined }, store: {} as never }, logger);
  const text = readFileSync(path, 'utf8');
  assert.match(text, /^[0-9a-f]{64}\n$/);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'nested')).mode & 0o777, 0o700);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /audit key generated/);
  assert.ok(lines[0]!.includes(first.id) && lines[0]!.includes(path), 'the log names the key id and the file');
  assert.ok(!lines[0]!.includes(text.trim()), 'the log never holds the key');
  assert.ok(!JSON.stringify({ first }).includes(text.trim()), 'nor does a JSON rendering of it');

  const again = loadOrCreateAuditKey(path);
  assert.equal(again.generated, false);
  assert.equal(again.key.id, first.id, 'the same key at the next start');
  assert.equal(readFileSync(path, 'utf8'), text, 'an existing key is never overwritten');
  assert.equal(again.readableByOthers, false);

  writeFileSync(join(dir, 'loose'), text, { mode: 0o644 });
  const loose: string[] = [];
  loadAnchorKey({ audit: { key_file: join(dir, 'loose') } as never, store: {} as never }, createLogger({ write: (l) => loose.push(l) }));
  assert.match(loose.join(''), /readable by group or others/);

  for (const bad of ['', 'abc', 'zz'.repeat(32), '00'.repeat(16)]) {
    writeFileSync(join(dir, 'bad'), bad);
    assert.throws(() => readAuditKey(join(dir, 'bad')), (e: Error) => e instanceof AuditKeyError && /not an audit key/.test(e.message), bad);
  }
  assert.throws(() => readAuditKey(join(dir, 'missing')), /cannot read the audit key file .*missing: no such file/);
  assert.ok(readAuditKey(path) instanceof AuditKey);
});

test('the sink: one line per checkpoint; other lines skipped, a torn last line ignored, a damaged one refused', () => {
  const cp = { seq: 3, position: 3000, hash: 'c'.repeat(64), at: Date.UTC(2025, 10, 28, 10), keyId: '0123456789abcdef', mac: 'd'.repeat(64) };
  const line = sinkLine(cp);
  assert.equal(
    line,
    `{"type":"audit_checkpoint","seq":3,"position":3000,"hash":"${'c'.repeat(64)}","at":"2025-11-28T10:00:00.000Z","key_id":"0123456789abcdef","mac":"${'d'.repeat(64)}"}`,
  );
  const captured = `aintegrix listening on http://127.0.0.1:8050\n${line}\n${sinkLine({ ...cp, seq: 4, position: 4000 })}\n${line.slice(0, 30)}`;
  const r = parseSink(captured);
  assert.ok(r.ok);
  assert.deepEqual(r.checkpoints.map((c) => [c.line, c.checkpoint.seq]), [[2, 3], [3, 4]]);
  assert.deepEqual(r.checkpoints[0]!.checkpoint, cp);
  const damaged = parseSink(`${line}\n${line.replace('"seq":3', '"seq":"3"')}\n`);
  assert.deepEqual(damaged, { ok: false, line: 2, reason: 'sink line 2 is not a valid audit checkpoint' });
});
