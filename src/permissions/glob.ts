// Glob matching for permission rules.
//
// Two flavours:
//   compileGlob        — path-style: `*` = any run of characters except '/', `**` = anything including '/',
//                        `?` = one character except '/', `[abc]` / `[a-z]` / `[!a-z]` (or `[^a-z]`) = one character of
//                        (not of) a class, never '/', `{a,b}` = alternatives (nestable, each may hold globs).
//                        `**/` at the start of a segment also matches zero directories (`**/*.ts` matches `a.ts`),
//                        and a trailing `/**` also matches the directory itself (`secrets/**` matches `secrets`),
//                        so a deny rule on a folder covers the folder.
//   compileCommandGlob — command-style: '/' is not special, so `*`, `**` and `?` match any character
//                        (`git *` matches `git log`, `rm *` matches `rm -rf /`).
// Everything else is literal, including '\' (there are no backslash escapes: commands are full of backslashes).
// To match a metacharacter literally, wrap it in a class: `[*]`, `[?]`, `[[]`, `[]]`, `[{]`, `[}]`, `[,]`;
// escapeGlob() does exactly that. An unclosed `[` or `{`, or braces without a top-level comma, are literal text.
//
// Matching runs a Thompson NFA over the subject (time O(subject × pattern), no backtracking), because subjects are
// agent-controlled (a long command line must not make a pattern like `*a*a*a*b` explode the way a regex would).

type GlobMode = 'path' | 'command';
type CharTest = (ch: string) => boolean;

type GlobNode =
  | { readonly t: 'char'; readonly test: CharTest }
  | { readonly t: 'star'; readonly test: CharTest } // zero or more characters passing `test`
  | { readonly t: 'optional'; readonly seq: readonly GlobNode[] }
  | { readonly t: 'alternatives'; readonly alts: readonly (readonly GlobNode[])[] };

type NfaState =
  | { kind: 'test'; test: CharTest; out: number }
  | { kind: 'split'; outs: number[] }
  | { kind: 'match' };

const anyChar: CharTest = () => true;
const notSlash: CharTest = (ch) => ch !== '/';

class GlobParser {
  private i = 0;
  /** brace openings known not to form a group: remembered so unmatched `{{{{` cannot make parsing exponential */
  private readonly literalBraces = new Set<number>();

  constructor(
    private readonly cp: readonly string[],
    private readonly mode: GlobMode,
  ) {}

  parse(): GlobNode[] {
    return this.parseSequence(false);
  }

  private parseSequence(insideBraces: boolean): GlobNode[] {
    const seq: GlobNode[] = [];
    const { cp } = this;
    while (this.i < cp.length) {
      const c = cp[this.i]!;
      if (insideBraces && (c === ',' || c === '}')) break;
      if (c === '*') this.parseStars(seq, insideBraces);
      else if (c === '?') {
        this.i++;
        seq.push({ t: 'char', test: this.mode === 'path' ? notSlash : anyChar });
      } else if (c === '[') seq.push(this.parseClass() ?? this.literal());
      else if (c === '{') seq.push(this.parseBraces() ?? this.literal());
      else seq.push(this.literal());
    }
    return seq;
  }

  private literal(): GlobNode {
    const ch = this.cp[this.i++]!;
    return { t: 'char', test: (c) => c === ch };
  }

  private parseStars(seq: GlobNode[], insideBraces: boolean): void {
    const { cp } = this;
    const start = this.i;
    while (cp[this.i] === '*') this.i++;
    if (this.mode === 'command') return void seq.push({ t: 'star', test: anyChar });
    if (this.i - start === 1) return void seq.push({ t: 'star', test: notSlash });
    const globstar: GlobNode = { t: 'star', test: anyChar };
    const prev = cp[start - 1];
    const next = cp[this.i];
    const segmentStart = start === 0 || prev === '/' || (insideBraces && (prev === '{' || prev === ','));
    if (segmentStart && next === '/') {
      this.i++; // `**/` = zero or more whole directories
      return void seq.push({ t: 'optional', seq: [globstar, { t: 'char', test: (c) => c === '/' }] });
    }
    const patternEnd = next === undefined || (insideBraces && (next === ',' || next === '}'));
    if (prev === '/' && patternEnd && seq.length > 0) {
      // `dir/**` also matches `dir` itself: the '/' just pushed becomes optional together with the globstar
      const slash = seq.pop()!;
      return void seq.push({ t: 'optional', seq: [slash, globstar] });
    }
    seq.push(globstar);
  }

  /** `[...]`; undefined (and position unchanged) when the class is not closed. */
  private parseClass(): GlobNode | undefined {
    const { cp } = this;
    let j = this.i + 1;
    let negated = false;
    if (cp[j] === '!' || cp[j] === '^') {
      negated = true;
      j++;
    }
    const ranges: [number, number][] = [];
    let first = true;
    while (j < cp.length) {
      const c = cp[j]!;
      if (c === ']' && !first) {
        this.i = j + 1;
        const inClass = (ch: string): boolean => {
          const code = ch.codePointAt(0)!;
          return ranges.some(([lo, hi]) => code >= lo && code <= hi);
        };
        const slashAllowed = this.mode === 'command';
        return { t: 'char', test: (ch) => (slashAllowed || ch !== '/') && inClass(ch) !== negated };
      }
      const next = cp[j + 1];
      const last = cp[j + 2];
      if (next === '-' && last !== undefined && last !== ']') {
        ranges.push([c.codePointAt(0)!, last.codePointAt(0)!]);
        j += 3;
      } else {
        ranges.push([c.codePointAt(0)!, c.codePointAt(0)!]);
        j++;
      }
      first = false;
    }
    return undefined;
  }

  /** `{a,b,...}`; undefined (and position unchanged) when not closed or without a top-level comma. */
  private parseBraces(): GlobNode | undefined {
    const start = this.i;
    if (this.literalBraces.has(start)) return undefined;
    this.i++;
    const alts: GlobNode[][] = [];
    for (;;) {
      alts.push(this.parseSequence(true));
      const c = this.cp[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}' && alts.length >= 2) {
        this.i++;
        return { t: 'alternatives', alts };
      }
      this.literalBraces.add(start);
      this.i = start;
      return undefined;
    }
  }
}

class Nfa {
  readonly states: NfaState[] = [];
  readonly start: number;

  constructor(seq: readonly GlobNode[]) {
    const match = this.add({ kind: 'match' });
    this.start = this.compileSequence(seq, match);
  }

  private add(state: NfaState): number {
    this.states.push(state);
    return this.states.length - 1;
  }

  // Built back to front: each node is compiled with the state that follows it as its continuation.
  private compileSequence(seq: readonly GlobNode[], next: number): number {
    let cur = next;
    for (let k = seq.length - 1; k >= 0; k--) cur = this.compileNode(seq[k]!, cur);
    return cur;
  }

  private compileNode(node: GlobNode, next: number): number {
    switch (node.t) {
      case 'char':
        return this.add({ kind: 'test', test: node.test, out: next });
      case 'star': {
        const split = this.add({ kind: 'split', outs: [] });
        const loop = this.add({ kind: 'test', test: node.test, out: split });
        (this.states[split] as { outs: number[] }).outs.push(loop, next);
        return split;
      }
      case 'optional':
        return this.add({ kind: 'split', outs: [this.compileSequence(node.seq, next), next] });
      case 'alternatives':
        return this.add({ kind: 'split', outs: node.alts.map((alt) => this.compileSequence(alt, next)) });
    }
  }

  matches(subject: string): boolean {
    const { states } = this;
    const seen = new Int32Array(states.length).fill(-1);
    let generation = 0;
    let current: number[] = [];
    const addClosure = (list: number[], s: number): void => {
      if (seen[s] === generation) return;
      seen[s] = generation;
      const state = states[s]!;
      if (state.kind === 'split') for (const o of state.outs) addClosure(list, o);
      else list.push(s);
    };
    addClosure(current, this.start);
    for (const ch of subject) {
      generation++;
      const next: number[] = [];
      for (const s of current) {
        const state = states[s]!;
        if (state.kind === 'test' && state.test(ch)) addClosure(next, state.out);
      }
      if (next.length === 0) return false;
      current = next;
    }
    return current.some((s) => states[s]!.kind === 'match');
  }
}

export type GlobMatcher = (subject: string) => boolean;

// Patterns come from the config and from session rules (one per `allow_always`), so the cache is bounded:
// when full, the oldest entry goes (Map keeps insertion order).
const CACHE_LIMIT = 1024;
const cache = new Map<string, GlobMatcher>();

function compile(pattern: string, mode: GlobMode): GlobMatcher {
  const key = `${mode}\0${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const nfa = new Nfa(new GlobParser(Array.from(pattern), mode).parse());
  const matcher: GlobMatcher = (subject) => nfa.matches(subject);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, matcher);
  return matcher;
}

/** Path-style glob (agent names, ACP methods, file paths): `*` and `?` stop at '/'. */
export function compileGlob(pattern: string): GlobMatcher {
  return compile(pattern, 'path');
}

/** Command-style glob: '/' is an ordinary character, so `*` matches any run of characters. */
export function compileCommandGlob(pattern: string): GlobMatcher {
  return compile(pattern, 'command');
}

/** A glob that matches exactly `text` (in both flavours): every metacharacter wrapped in a one-character class. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]{},]/g, '[$&]');
}

/** For tests and diagnostics. */
export function globCacheSize(): number {
  return cache.size;
}
