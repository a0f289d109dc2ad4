// Anonymous labels for candidates. The order is a shuffle drawn from a seed that is recorded in the log, so the
// judge cannot infer the request order (or which agent is which) from the labels, and a replay gives the same ones.

/** A, B, ..., Z, AA, AB, ...: the n-th label (0-based). */
export function labelAt(n: number): string {
  let s = '';
  let i = n;
  do {
    s = String.fromCharCode(65 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return s;
}

/** mulberry32: a tiny deterministic PRNG; the same seed gives the same sequence on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The labels of `count` candidates in request order: a Fisher-Yates shuffle of A.. seeded by `seed`. */
export function shuffledLabels(count: number, seed: number): string[] {
  const labels = Array.from({ length: count }, (_, i) => labelAt(i));
  const random = prng(seed);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  return labels;
}
