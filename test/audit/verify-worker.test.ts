// GET /api/v1/audit/verify walks the log in a worker thread: while a walk over a large log runs, the gateway
// answers /health and runs a prompt (their answers arrive before the verify's: ordering, not timing), and any number
// of concurrent verifies cost at most two walks (the running one, and one more shared by every request that arrived
// during it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { says, startTestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

/** Enough events for a walk of a second or more here (a walk costs a few µs per event). */
const EVENTS = 200_000;

test('verify runs off the event loop, one walk at a time', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  assert.equal((await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('warm up'))).status, 200);
  for (let i = 0; i < EVENTS; i += 1000) {
    const r = await g.gw.store.appendToStream(`bulk:${i / 1000}`, 0, Array.from({ length: 1000 }, (_, j) => ({ type: 'Noted', data: { n: i + j } })));
    assert.ok(r.ok);
  }
  const verifier = g.gw.auditVerifier;

  const order: string[] = [];
  const verify = g.api('GET', '/api/v1/audit/verify').then((r) => (order.push('verify'), r));
  // The walk has begun before the other requests are sent (an in-process counter, read between event-loop turns).
  await eventually(async () => verifier.walksStarted === 1, 10_000, 'the verify walk to start');
  const health = g.api('GET', '/health').then((r) => (order.push('health'), r));
  const prompt = g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('while verifying')).then((r) => (order.push('prompt'), r));
  const [v, h, p] = await Promise.all([verify, health, prompt]);
  assert.equal(h.status, 200);
  assert.equal(p.status, 200);
  assert.equal(p.body.text, 'echo: while verifying');
  assert.equal(v.status, 200);
  assert.equal(v.body.ok, true, JSON.stringify(v.body));
  assert.ok(v.body.checked > EVENTS);
  assert.deepEqual(order, ['health', 'prompt', 'verify'], 'the gateway answered the others while the walk ran');

  const before = verifier.walksStarted;
  const concurrent = await Promise.all(Array.from({ length: 8 }, () => g.api('GET', '/api/v1/audit/verify')));
  const walks = verifier.walksStarted - before;
  assert.ok(walks >= 1 && walks <= 2, `8 concurrent verifies took ${walks} walks`);
  for (const r of concurrent) {
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, true);
  }
  t.diagnostic(`8 concurrent verifies: ${walks} walk(s)`);

  // Concurrent requests with different expected heads share a walk, each answered for its own head.
  const head = g.gw.store.head();
  const [good, bad] = await Promise.all([
    g.api('GET', `/api/v1/audit/verify?expect_head=${head.position}:${head.hash}`),
    g.api('GET', `/api/v1/audit/verify?expect_head=${head.position}:${'0'.repeat(64)}`),
  ]);
  assert.equal(good.body.ok, true);
  assert.deepEqual([bad.body.ok, bad.body.first_bad_position], [false, head.position]);
  assert.match(bad.body.reason, /does not have the expected hash/);
});
