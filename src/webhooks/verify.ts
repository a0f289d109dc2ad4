// Who may call POST /api/v1/webhooks/git: whoever holds the shared secret. GitLab sends it back as it was set
// (X-Gitlab-Token; X-Webhook-Token is the contract's provider-neutral name for the same), GitHub signs the raw body
// with it (X-Hub-Signature-256: sha256=<hex HMAC-SHA256>). Both are compared in constant time; the signature is
// computed over the bytes exactly as received, before any JSON parsing.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../errors/http-error.js';

export type Verified = { by: 'token' | 'signature' };

/** Throws 401 unless the request carries the secret or a valid signature of `body`. */
export function verifyWebhook(headers: Readonly<Record<string, string>>, body: Buffer, secret: string): Verified {
  const signature = headers['x-hub-signature-256'];
  if (signature !== undefined) {
    const m = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim());
    const expected = createHmac('sha256', secret).update(body).digest();
    if (m && timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected)) return { by: 'signature' };
    throw unauthorized('X-Hub-Signature-256 does not match the body signed with the webhook secret');
  }
  const token = headers['x-gitlab-token'] ?? headers['x-webhook-token'];
  if (token !== undefined) {
    if (sameSecret(token, secret)) return { by: 'token' };
    throw unauthorized('X-Gitlab-Token does not match the webhook secret');
  }
  throw unauthorized('missing X-Gitlab-Token, X-Webhook-Token or X-Hub-Signature-256');
}

/** Constant time whatever the lengths: both sides are hashed to the same size first. */
function sameSecret(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message);
}
