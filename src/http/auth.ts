// Bearer-token authentication. Tokens are compared in constant time (sha256 of both sides, then timingSafeEqual,
// over every configured token without an early exit), so neither the token nor its length leaks through timing.
import { hash, timingSafeEqual } from 'node:crypto';
import type { Principal } from './request-context.js';

export interface NamedToken {
  name: string;
  token: string;
}

export class TokenAuthenticator {
  private readonly digests: { name: string; digest: Buffer }[];

  constructor(tokens: readonly NamedToken[]) {
    this.digests = tokens.map((t) => ({ name: t.name, digest: sha256(t.token) }));
  }

  get configured(): boolean {
    return this.digests.length > 0;
  }

  /** The principal for a raw token, or undefined. */
  verifyToken(token: string): Principal | undefined {
    const candidate = sha256(token);
    let match: string | undefined;
    for (const d of this.digests) {
      if (timingSafeEqual(candidate, d.digest) && match === undefined) match = d.name;
    }
    return match === undefined ? undefined : { name: match };
  }

  /**
   * The principal for an `Authorization` header value. Only the exact scheme `Bearer <token>` is accepted
   * (RFC 6750 as the original did it: a lower-case `bearer` is refused).
   */
  verifyHeader(header: string | undefined): Principal | undefined {
    if (!header || !header.startsWith('Bearer ')) return undefined;
    const token = header.slice(7);
    if (token.length === 0 || token.length > 4096) return undefined;
    return this.verifyToken(token);
  }
}

function sha256(s: string): Buffer {
  return hash('sha256', s, 'buffer'); // the one-shot form: half the cost of createHash().update().digest()
}
