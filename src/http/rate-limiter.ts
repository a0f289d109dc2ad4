// Token-bucket rate limiting per principal (token name): `requests_per_second` refill, `burst` capacity.
// take() runs on every API request: it allocates nothing (one bucket per principal, made on its first request).

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Takes one request from `key`'s bucket: 0 when it may go on, else the seconds until one request is available
   * again (at least 1). `at`: performance.now() of the request when the caller has it (one clock read fewer).
   */
  take(key: string, at?: number): number {
    if (this.perSecond <= 0) return 0;
    const t = at ?? this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }
}
