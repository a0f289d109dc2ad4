// Tokens with narrowed scopes for the scope tests, and the checks every surface shares: what a refusal looks like and
// what a command event records of the caller.
import assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway.js';

export const READER = 'reader-token-0123456789';
export const PROMPTER = 'prompter-token-0123456789';
export const APPROVER = 'approver-token-0123456789';
export const ADMIN = 'admin-token-0123456789';
export const READ_PROMPT = 'read-prompt-token-0123456789';
export const READ_APPROVE = 'read-approve-token-0123456789';

export const SCOPED_TOKENS = [
  { name: 'reader', token: READER, scopes: ['read'] },
  { name: 'prompter', token: PROMPTER, scopes: ['prompt'] },
  { name: 'approver', token: APPROVER, scopes: ['approve'] },
  { name: 'admin', token: ADMIN, scopes: ['admin'] },
  { name: 'read-prompt', token: READ_PROMPT, scopes: ['read', 'prompt'] },
  { name: 'read-approve', token: READ_APPROVE, scopes: ['read', 'approve'] },
];

/** A REST answer refused for want of `scope`: 403, the JSON error naming it, and RFC 6750's header. */
export function assertRefused(r: { status: number; body: any; headers: Headers }, scope: string, what: string): void {
  assert.equal(r.status, 403, `${what}: ${JSON.stringify(r.body)}`);
  assert.deepEqual(r.body, { error: { code: 'insufficient_scope', message: `insufficient scope: needs '${scope}'`, details: { scope } } }, what);
  assert.equal(r.headers.get('www-authenticate'), `Bearer error="insufficient_scope", scope="${scope}"`, what);
}

/** The meta of the events of `type` in a session's log. */
export function metaOf(g: TestGateway, sessionId: string, type: string): Record<string, unknown>[] {
  return g.gw.store.readStream(`session:${sessionId}`, 1, 100_000).filter((e) => e.type === type).map((e) => e.meta);
}
