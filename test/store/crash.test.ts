// Crash durability: a child appends with 'strict' durability and reports every acknowledged append; it is killed
// with SIGKILL mid-stream. After reopening, every acknowledged append is in the log, whole, and the chain verifies.
// On both stores: on postgres the child is a node killed mid-commit, reopened on its own mirror.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openPostgresEventStore } from '../../src/store/postgres/open-postgres-store.js';
import { openEventStore } from '../../src/store/sqlite-event-store.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { STORE_KINDS, tempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/append-until-killed.js', import.meta.url));

interface Ack {
  appendId: number;
  first: number;
  last: number;
}

for (const kind of STORE_KINDS) test(`${kind}: every acknowledged append survives SIGKILL, no half batch is visible, the chain verifies`, async (t) => {
  const file = path.join(tempDir(t), 'crash.db');
  const url = kind === 'postgres' ? await createTestDatabase('crash') : undefined;
  const child = spawn(process.execPath, [fixture, file, ...(url ? [url] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const closed = once(child, 'close'); // after exit *and* the end of its stdout/stderr
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const enough = 3000;
  const killed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child acknowledged too little within 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (child.signalCode === null && stdout.split('\n').length > enough) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (child.signalCode !== 'SIGKILL') reject(new Error(`child exited on its own (code ${code}); stderr: ${stderr}`));
    });
  });
  await killed;
  await closed;
  assert.equal(child.signalCode, 'SIGKILL');

  const lines = stdout.split('\n');
  lines.pop(); // whatever follows the last newline is not a complete acknowledgement
  const acks: Ack[] = lines.map((l) => {
    const [appendId, first, last] = l.split(' ').map(Number);
    return { appendId: appendId!, first: first!, last: last! };
  });
  assert.ok(acks.length >= enough, `expected at least ${enough} acknowledgements, got ${acks.length}`);

  const store = url === undefined ? openEventStore({ path: file }) : await openPostgresEventStore({ path: file, url });
  t.after(() => store.close());
  const verified = store.verifyChain();
  assert.equal(verified.ok, true, JSON.stringify(verified));
  const maxAcked = Math.max(...acks.map((a) => a.last));
  assert.ok(store.headPosition() >= maxAcked, `head ${store.headPosition()} < last acknowledged ${maxAcked}`);

  // Every acknowledged append is there, at the positions it was told, with its own data.
  for (const a of acks) {
    const events = store.readAll(a.first - 1, a.last - a.first + 1);
    assert.equal(events.length, a.last - a.first + 1, `append ${a.appendId} incomplete`);
    for (const [i, e] of events.entries()) {
      assert.deepEqual([(e.data as { appendId: number }).appendId, (e.data as { i: number }).i], [a.appendId, i]);
    }
  }
  // Nothing half-written: every append in the log (acknowledged or not) has all of its k events.
  const seen = new Map<number, { k: number; count: number }>();
  for (const e of store.iterate()) {
    const d = e.data as { appendId: number; k: number };
    const s = seen.get(d.appendId) ?? { k: d.k, count: 0 };
    s.count += 1;
    seen.set(d.appendId, s);
  }
  for (const [appendId, s] of seen) assert.equal(s.count, s.k, `append ${appendId} has ${s.count} of ${s.k} events`);
  assert.ok(seen.size >= acks.length);

  // And the store carries on from there.
  const next = await store.appendToStream('session:after-crash', 0, [{ type: 'Recovered', data: {} }]);
  assert.ok(next.ok);
  assert.equal(next.firstPosition, verified.checked + 1);
  assert.equal(store.verifyChain().ok, true);
});
