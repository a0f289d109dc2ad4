// The bearer-token check without allocation per request (a candidate is written into one buffer kept for the
// purpose): it must still accept exactly the configured tokens, whatever came before, and nothing else — a prefix,
// an extension, the same bytes in another length, multi-byte text, a candidate longer than that buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenAuthenticator } from '../../src/http/auth.js';

const A = 'alpha-token-0123456789';
const B = 'béta-tökén-ünïcode-✓-0123';
const LONG = 'L'.repeat(20_000); // longer than any header may carry, accepted when configured and passed directly

test('token check: each configured token, and only it, in any order of candidates', () => {
  const auth = new TokenAuthenticator([
    { name: 'a', token: A, scopes: ['read'] },
    { name: 'b', token: B },
    { name: 'long', token: LONG },
  ]);
  const candidates: [string, string | undefined][] = [
    [A, 'a'],
    [B, 'b'],
    [A.slice(0, -1), undefined],
    [`${A}x`, undefined],
    [B, 'b'],
    [B.slice(0, -1), undefined],
    [`${A}`.replace('0', '1'), undefined],
    ['', undefined],
    [A, 'a'],
    [LONG, 'long'],
    [`${LONG}L`, undefined],
    [LONG.slice(1), undefined],
    ['ü'.repeat(A.length), undefined],
    [A, 'a'],
  ];
  for (const [candidate, name] of candidates) {
    assert.equal(auth.verifyToken(candidate)?.name, name, `candidate of ${candidate.length} characters`);
  }
  assert.deepEqual(auth.verifyToken(A)?.scopes, ['read']);
});

test('token check: the Authorization header needs exactly `Bearer <token>`, at most 4096 characters of token', () => {
  const long = 'x'.repeat(4096);
  const auth = new TokenAuthenticator([{ name: 'a', token: A }, { name: 'max', token: long }]);
  assert.equal(auth.verifyHeader(`Bearer ${A}`)?.name, 'a');
  assert.equal(auth.verifyHeader(`bearer ${A}`), undefined);
  assert.equal(auth.verifyHeader(`Bearer  ${A}`), undefined);
  assert.equal(auth.verifyHeader('Bearer '), undefined);
  assert.equal(auth.verifyHeader(undefined), undefined);
  assert.equal(auth.verifyHeader(`Bearer ${long}`)?.name, 'max');
  assert.equal(auth.verifyHeader(`Bearer ${long}x`), undefined);
  assert.equal(auth.verifyHeader(`Bearer ${A}`)?.name, 'a', 'a long candidate before leaves nothing behind');
});

test('token check: no token configured accepts nothing', () => {
  const auth = new TokenAuthenticator([]);
  assert.equal(auth.configured, false);
  assert.equal(auth.verifyToken(A), undefined);
  assert.equal(auth.verifyHeader(`Bearer ${A}`), undefined);
});
