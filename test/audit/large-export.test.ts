// A large export streams in constant memory: 50 000 events (about 60 MB of NDJSON) to a client that stops reading.
// While it does not read, the server produces no more than the socket takes (uWS backpressure → onWritable), so the
// process's RSS stays within a bound far below the export's size; the server keeps answering other requests; the
// first bytes arrive long before the end; and a client that goes away mid-export stops it without harm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TOKEN, startTestGateway } from '../helpers/gateway.js';

const EVENTS = 50_000;
const PAD = 'x'.repeat(1000);
/**
 * RSS growth allowed while a client holds the export back. Measured: ~3 MB. Buffering the export instead (writing
 * on without waiting for onWritable) grows it by ~60 MB within the 3 s below.
 */
const RSS_BOUND = 16 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settledRss = (): number => {
  gc();
  gc();
  return process.memoryUsage().rss;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a 50 000-event export streams in bounded memory to a slow reader', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  for (let i = 0; i < EVENTS; i += 1000) {
    const r = await g.gw.store.appendToStream(`bulk:${i / 1000}`, 0, Array.from({ length: 1000 }, (_, j) => ({ type: 'Noted', data: { n: i + j, pad: PAD } })));
    assert.ok(r.ok);
  }
  const head = g.gw.store.headPosition();
  assert.equal(head, EVENTS);
  const base = settledRss();

  const url = new URL(`${g.url}/api/v1/audit/export`);
  let received = 0;
  let lines = 0;
  let lastPosition = 0;
  let partial = '';
  const req = http.get(url, { headers: { authorization: `Bearer ${TOKEN}` }, agent: false });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
  assert.equal(res.statusCode, 200);
  res.setEncoding('utf8');
  const consume = (chunk: string) => {
    received += chunk.length; // ASCII: characters are bytes
    const text = partial + chunk;
    const parts = text.split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      const p = (JSON.parse(line) as { position: number }).position;
      assert.ok(p > lastPosition, `position ${p} after ${lastPosition}`);
      lastPosition = p;
      lines += 1;
    }
  };
  // Read the first chunk, then stop reading.
  await new Promise<void>((resolve) => res.once('data', (c: string) => (consume(c), resolve())));
  res.pause();
  assert.ok(lines > 0, 'the first lines arrived');
  // Time to produce (most of) the export, were nothing holding it back; the largest growth seen counts.
  let held = 0;
  for (let i = 0; i < 6; i++) {
    await sleep(500);
    held = Math.max(held, settledRss());
  }
  assert.ok(held - base < RSS_BOUND, `RSS grew by ${((held - base) / 1048576).toFixed(1)} MB while the client held the export back`);
  // The event loop is free meanwhile: other requests are served.
  assert.equal((await g.api('GET', '/health')).status, 200);

  // Read the rest: every event arrives, in position order (the peak RSS meanwhile is reported, not asserted: it
  // includes this client's own garbage).
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  res.on('data', consume);
  res.resume();
  await new Promise<void>((resolve, reject) => res.on('end', resolve).on('error', reject));
  clearInterval(sampler);
  assert.equal(partial, '');
  assert.equal(lines, EVENTS);
  assert.equal(lastPosition, EVENTS);
  const mb = (n: number) => (n / 1048576).toFixed(1);
  t.diagnostic(`export ${mb(received)} MB; RSS +${mb(held - base)} MB while held back, peak +${mb(peak - base)} MB while read`);

  // A client that goes away mid-export: the server stops it and carries on.
  const gone = http.get(url, { headers: { authorization: `Bearer ${TOKEN}` }, agent: false });
  const goneRes = await new Promise<http.IncomingMessage>((resolve) => gone.on('response', resolve));
  await new Promise<void>((resolve) => goneRes.once('data', () => resolve()));
  gone.on('error', () => undefined);
  goneRes.on('error', () => undefined);
  gone.destroy();
  await sleep(200);
  const verified = (await g.api('GET', '/api/v1/audit/verify')).body;
  assert.deepEqual([verified.ok, verified.checked], [true, EVENTS]);
});
