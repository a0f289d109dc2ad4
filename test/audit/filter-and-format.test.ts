// The pieces under the audit routes and CLI: time bounds, filter validation, the export line (including a row whose
// stored JSON was damaged), chunking, and the read-only log on an empty and on a damaged file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEventStore } from '../../src/store/index.js';
import { ndjsonBatches, openReadOnlyLog, parseExportFilter, parseTimeBound } from '../../src/audit/index.js';
import { firstBadLine, parseNdjson } from './helpers.js';

test('since/until: epoch ms, ISO dates and date-times with a zone; nothing ambiguous or impossible', () => {
  assert.equal(parseTimeBound('1764330000000'), 1764330000000);
  assert.equal(parseTimeBound('0'), 0);
  assert.equal(parseTimeBound('2025-11-28'), Date.UTC(2025, 10, 28));
  assert.equal(parseTimeBound('2025-11-28T10:00Z'), Date.UTC(2025, 10, 28, 10));
  assert.equal(parseTimeBound('2025-11-28T10:00:00.123Z'), Date.UTC(2025, 10, 28, 10, 0, 0, 123));
  assert.equal(parseTimeBound('2025-11-28T12:30:00+02:30'), Date.UTC(2025, 10, 28, 10));
  assert.equal(parseTimeBound('2025-11-28T05:00:00-0500'), Date.UTC(2025, 10, 28, 10));
  // finer than a millisecond rounds up (events carry whole ms): since/until stay exact
  assert.equal(parseTimeBound('2025-11-28T10:00:00.000001Z'), Date.UTC(2025, 10, 28, 10) + 1);
  assert.equal(parseTimeBound('2025-11-28T10:00:00.123000Z'), Date.UTC(2025, 10, 28, 10, 0, 0, 123));
  for (const [text, why] of [
    ['2025-11-28T10:00:00', /time zone/],
    ['2025-02-30', /no such day/],
    ['2025-13-01', /not a valid/],
    ['2025-11-28T24:00:00Z', /not a valid/],
    ['1969-12-31', /before 1970/],
    ['yesterday', /epoch milliseconds or an ISO 8601/],
    ['99999999999999999999', /out of range/],
    ['-5', /epoch milliseconds or an ISO 8601/],
  ] as const) {
    const r = parseTimeBound(text);
    assert.equal(typeof r, 'string', text);
    assert.match(r as string, why, text);
  }
});

test('filters: names map to the store filter; a bad or unknown one names the field', () => {
  assert.deepEqual(parseExportFilter({}), { ok: true, filter: {} });
  assert.deepEqual(parseExportFilter({ stream: 'session:a', type: 'PromptSubmitted', since: '2025-11-28', until: '1764400000000', after: '7' }), {
    ok: true,
    filter: { streamId: 'session:a', type: 'PromptSubmitted', since: Date.UTC(2025, 10, 28), until: 1764400000000, afterPosition: 7 },
  });
  const field = (raw: Record<string, string>) => {
    const r = parseExportFilter(raw);
    assert.equal(r.ok, false, JSON.stringify(raw));
    return r.ok ? '' : r.field;
  };
  assert.equal(field({ after: 'x' }), 'after');
  assert.equal(field({ after: '99999999999999999999' }), 'after');
  assert.equal(field({ stream: '' }), 'stream');
  assert.equal(field({ until: 'later' }), 'until');
  assert.equal(field({ principal: 'alice' }), 'principal');
});

test('chunks hold whole lines and stay near the target size', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'log.db');
  const store = openEventStore({ path: file });
  await store.appendToStream('session:a', 0, Array.from({ length: 300 }, (_, i) => ({ type: 'Noted', data: { i, text: 'ü'.repeat(100) } })));
  const chunks = [...ndjsonBatches(store.iterate(), 4096)];
  await store.close();
  assert.ok(chunks.length > 5);
  for (const c of chunks.slice(0, -1)) {
    assert.ok(c.endsWith('\n'));
    assert.ok(c.length >= 4096 && c.length < 4096 + 400, `chunk of ${c.length}`);
  }
  const lines = parseNdjson(chunks.join(''));
  assert.equal(lines.length, 300);
  assert.equal(lines[299]!.data.text, 'ü'.repeat(100));
  assert.equal(firstBadLine(lines), undefined);
});

test('read-only log: an empty log, and a row whose stored data is no longer JSON', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const empty = join(dir, 'empty.db');
  await openEventStore({ path: empty }).close();
  const e = openReadOnlyLog(empty);
  assert.deepEqual(e.verifyChain(), { ok: true, checked: 0 });
  assert.deepEqual([...ndjsonBatches(e.iterate())], []);
  e.close();

  const file = join(dir, 'log.db');
  const store = openEventStore({ path: file });
  for (let i = 1; i <= 5; i++) await store.appendToStream('session:a', 'any', [{ type: 'Noted', data: { i }, meta: { principal: 'p' } }]);
  await store.close();
  const w = new Database(file);
  w.prepare(`UPDATE events SET data = '{"i":3' WHERE position = 3`).run(); // a cut-off JSON text
  w.close();
  const log = openReadOnlyLog(file);
  t.after(() => log.close());
  assert.equal(log.headPosition(), 5);
  assert.deepEqual(log.verifyChain(), {
    ok: false,
    checked: 2,
    firstBadPosition: 3,
    reason: 'stored hash does not match the event as stored (the row was changed)',
  });
  const lines = parseNdjson([...ndjsonBatches(log.iterate())].join(''));
  assert.equal(lines.length, 5, 'the export goes on past the damaged row');
  assert.deepEqual([lines[2]!.data, lines[2]!.invalid_json], ['{"i":3', ['data']]);
  assert.equal(lines[1]!.invalid_json, undefined);
  assert.equal(firstBadLine(lines), 3);
  assert.deepEqual(
    parseNdjson([...ndjsonBatches(log.iterate({ afterPosition: 3 }))].join('')).map((l) => l.position),
    [4, 5],
  );
});
