// Bearer-token authentication. A candidate is compared with every configured token, without an early exit, each
// time with `timingSafeEqual` over the configured token's length (against the candidate when the lengths match,
// against the token itself otherwise), so the work done depends neither on how much of a token matched, nor on which
// token it was, nor on whether the candidate's length was right. The candidate's bytes go into one buffer kept for
// the purpose (no allocation per request: this runs on every API request).
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

/** The longest token an `Authorization` header may carry, in characters (a longer one is refused unread). */
const MAX_TOKEN_CHARS = 4096;

export class TokenAuthenticator {
  /** `candidate`: a view of the first `bytes.length` bytes of `scratch`, made once */
  private readonly tokens: { principal: Principal; bytes: Buffer; candidate: Buffer }[];
  /** where a candidate is written, UTF-8: room for any header's token (MAX_TOKEN_CHARS) and the longest configured */
  private readonly scratch: Buffer;

  constructor(tokens: readonly NamedToken[]) {
    const longest = tokens.reduce((n, t) => Math.max(n, Buffer.byteLength(t.token, 'utf8')), 0);
    this.scratch = Buffer.alloc(Math.max(longest, MAX_TOKEN_CHARS * 3) + 1);
    this.tokens = tokens.map((t) => {
      const bytes = Buffer.from(t.token, 'utf8');
      return {
        principal: Object.freeze({ name: t.name, scopes: Object.freeze([...(t.scopes ?? ALL_SCOPES)]) }),
        bytes,
        candidate: this.scratch.subarray(0, bytes.length),
      };
    });
  }

  get configured(): boolean {
    return this.tokens.length > 0;
  }

  /** The principal for a raw token, or undefined. */
  verifyToken(token: string): Principal | undefined {
    // at most 3 UTF-8 bytes per UTF-16 unit: a candidate that passes this fits whole into the scratch buffer, so the
    // length written is its real length (a longer one, which no header carries, takes a buffer of its own)
    const candidate = token.length * 3 < this.scratch.length ? undefined : Buffer.from(token, 'utf8');
    const length = candidate ? candidate.length : this.scratch.write(token, 0, 'utf8');
    let match: Principal | undefined;
    for (let i = 0; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      const equal = length === t.bytes.length ? timingSafeEqual(candidate ?? t.candidate, t.bytes) : !timingSafeEqual(t.bytes, t.bytes);
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
    if (token.length === 0 || token.length > MAX_TOKEN_CHARS) return undefined;
    return this.verifyToken(token);
  }
}
