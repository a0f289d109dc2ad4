// Maps key paths of the parsed YAML back to line numbers, so that every error (schema, ${VAR} expansion, legacy
// keys, cross-checks) can name the line it is about. Works on the yaml Document (node ranges) + a LineCounter.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { KeyPath } from './errors.js';

export interface DuplicateKeyLocation {
  path: KeyPath;
  /** line of the first definition of the same key in the same map */
  firstLine?: number;
}

export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  lineAtOffset(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  /**
   * The line of the deepest node on `path` that exists in the file: for a map entry the line of its key, for a list
   * item the line of the item. A path that leaves the file (a missing key) yields the line of its nearest ancestor.
   */
  lineOf(path: KeyPath): number | undefined {
    let node: unknown = this.doc.contents;
    let line = this.lineOfNode(node);
    for (const seg of path) {
      node = this.resolve(node);
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(seg));
        if (pair === undefined) break;
        line = this.lineOfNode(pair.key) ?? this.lineOfNode(pair.value) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item: unknown = node.items[seg];
        if (item === undefined) break;
        line = this.lineOfNode(item) ?? line;
        node = item;
      } else break;
    }
    return line;
  }

  /** Finds the map key that starts at `offset` (where yaml reports a duplicate key) and its first definition. */
  duplicateKeyAt(offset: number): DuplicateKeyLocation | undefined {
    const search = (node: unknown, path: KeyPath): DuplicateKeyLocation | undefined => {
      if (isMap(node)) {
        for (const [i, pair] of node.items.entries()) {
          const key = keyText(pair.key);
          if (isNodeLike(pair.key) && pair.key.range?.[0] === offset && key !== undefined) {
            const first = node.items.slice(0, i).find((p) => keyText(p.key) === key);
            return { path: [...path, key], firstLine: first === undefined ? undefined : this.lineOfNode(first.key) };
          }
          const found = search(pair.value, key === undefined ? path : [...path, key]);
          if (found !== undefined) return found;
        }
      } else if (isSeq(node)) {
        for (const [i, item] of node.items.entries()) {
          const found = search(item, [...path, i]);
          if (found !== undefined) return found;
        }
      }
      return undefined;
    };
    return search(this.doc.contents, []);
  }

  /**
   * yaml reports a missing closing quote at the end of the document; this finds the quoted string that runs there,
   * so the error can name where it was opened.
   */
  unclosedQuoteAt(offset: number): { path: KeyPath; line: number } | undefined {
    let found: { path: KeyPath; line: number } | undefined;
    const search = (node: unknown, path: KeyPath): void => {
      if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range != null) {
        if (node.range[0] < offset && node.range[1] >= offset) found = { path, line: this.lineAtOffset(node.range[0]) };
      } else if (isMap(node)) {
        for (const pair of node.items) {
          const key = keyText(pair.key);
          search(pair.value, key === undefined ? path : [...path, key]);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => search(item, [...path, i]));
      }
    };
    search(this.doc.contents, []);
    return found;
  }

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private lineOfNode(node: unknown): number | undefined {
    if (!isNodeLike(node) || node.range == null) return undefined;
    return this.lineAtOffset(node.range[0]);
  }
}

function isNodeLike(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && 'range' in x;
}

/** Keys are compared as text, the way `toJS()` turns them into object keys. */
function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
