import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadlineFor, isExpired, newApprovalId, remainingMs } from '../../src/permissions/approvals.js';

test('approval ids: ap_ + 16 random bytes in base64url, all distinct', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = newApprovalId();
    assert.match(id, /^ap_[A-Za-z0-9_-]{22}$/);
    assert.equal(Buffer.from(id.slice(3), 'base64url').length, 16);
    ids.add(id);
  }
  assert.equal(ids.size, 1000);
});

test('deadlineFor adds the timeout to now (ms or Date)', () => {
  assert.equal(deadlineFor(1_000_000, 300), 1_300_000);
  assert.equal(deadlineFor(new Date(5_000), 1.5), 6_500);
  assert.equal(deadlineFor(0, 0), 0);
  assert.throws(() => deadlineFor(0, -1), RangeError);
  assert.throws(() => deadlineFor(0, Number.NaN), RangeError);
  assert.throws(() => deadlineFor(new Date('nope'), 1), RangeError);
});

test('expiry is inclusive of the deadline; remaining time never goes negative', () => {
  const deadline = deadlineFor(10_000, 5);
  assert.equal(isExpired(deadline, 14_999), false);
  assert.equal(isExpired(deadline, 15_000), true);
  assert.equal(isExpired(deadline, new Date(16_000)), true);
  assert.equal(remainingMs(deadline, 14_000), 1_000);
  assert.equal(remainingMs(deadline, 20_000), 0);
});
