// Bearer-token authentication. A candidate is compared with every configured token, without an early exit, each
// time with `timingSafeEqual` over the candidate's own length (against the token when the lengths match, against
// itself otherwise), so the work done depends neither on how much of a token matched nor on which token it was.
// The principal a token authenticates carries the token's scopes (all of them when the token has none configured).
import { timingSafeEqual } from 'node:crypto';
import type { Principal } from './request-context.js';
import { SCOPES, type Scope } from './scopes.js';

export interface NamedToken {
  name: string;
  token: string;
  /** undefined: every scope (a token configured before scopes existed) */
  scopes?: readonly Scope[];
}

/** Every scope, for the tokens that hold them all by definition (AINTEGRIX_API_KEY, the generated token). */
export const ALL_SCOPES: readonly Scope[] = Object.freeze([...SCOPES]);

export class TokenAuthenticator {
  private readonly tokens: { principal: Principal; bytes: Buffer }[];

  constructor(tokens: readonly NamedToken[]) {
    this.tokens = tokens.map((t) => ({
      principal: Object.freeze({ name: t.name, scopes: Object.freeze([...(t.scopes ?? ALL_SCOPES)]) }),
      bytes: Buffer.from(t.token, 'utf8'),
    }));
  }

  get configured(): boolean {
    return this.tokens.length > 0;
  }

  /** The principal for a raw token, or undefined. */
  verifyToken(token: string): Principal | undefined {
    const candidate = Buffer.from(token, 'utf8');
    let match: Principal | undefined;
    for (const t of this.tokens) {
      const equal = t.bytes.length === candidate.length ? timingSafeEqual(candidate, t.bytes) : !timingSafeEqual(candidate, candidate);
      if (equal && match === undefined) match = t.principal;
    }
    return match;
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
