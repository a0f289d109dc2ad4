// Turns zod issues into config problems: one per issue (one per unknown key), each with the key path, the line
// (via YamlLocator) and a message of the form `expected ..., got ...` using the value as written in the file.
import type { z } from 'zod';
import type { ConfigProblem, KeyPath } from './errors.js';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

export function problemsFromIssues(issues: readonly Issue[], input: unknown, schema: Schema): ConfigProblem[] {
  return issues.flatMap((iss) => problemsFromIssue(iss, input, schema));
}

function problemsFromIssue(iss: Issue, input: unknown, schema: Schema): ConfigProblem[] {
  const path = iss.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const value = valueAt(input, path);
  switch (iss.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(schema, path);
      return iss.keys.map((key) => ({ path: [...path, key], message: unknownKeyMessage(key, allowed) }));
    }
    case 'invalid_type':
      if (value === undefined && path.length > 0) {
        const key = path[path.length - 1];
        return [{ path: path.slice(0, -1), message: `missing required key "${String(key)}"` }];
      }
      return [{ path, message: withGot(ours(iss.message) ?? `expected ${describeExpected(iss.expected)}`, path, value) }];
    case 'invalid_key': {
      const inner = iss.issues[0];
      return [{ path, message: ours(inner?.message) ?? `invalid key "${String(path[path.length - 1])}"` }];
    }
    case 'invalid_value':
      return [{ path, message: withGot(ours(iss.message) ?? `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`, path, value) }];
    case 'invalid_union':
      // A discriminated union reports a bad discriminator at the item; point at its `type` key.
      if (iss.discriminator !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const d = iss.discriminator;
        return [{ path: [...path, d], message: withGot(ours(iss.message) ?? 'no variant matches', [...path, d], valueAt(input, [...path, d])) }];
      }
      return [{ path, message: withGot(ours(iss.message) ?? 'no variant matches', path, value) }];
    case 'custom':
      return [{ path, message: iss.message }];
    default:
      return [{ path, message: withGot(ours(iss.message) ?? lowerFirst(iss.message), path, value) }];
  }
}

/** zod's built-in messages ("Invalid input: ...", "Too small: ...") are replaced by ours; our schemas' are kept. */
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too small|Too big|Unrecognized)/;

function ours(message: string | undefined): string | undefined {
  return message !== undefined && !ZOD_DEFAULT_MESSAGE.test(message) ? message : undefined;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
    case 'map':
      return 'a map';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'int':
      return 'an integer';
    default:
      return `a ${expected}`;
  }
}

function withGot(message: string, path: KeyPath, value: unknown): string {
  return `${message}, got ${describeValue(value, isSecret(path))}`;
}

/** Values of tokens, environment variables and headers are not echoed into logs: only their size is. */
function isSecret(path: KeyPath): boolean {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  return last === 'token' || parent === 'env' || parent === 'headers';
}

export function describeValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    if (secret) return `a string of ${value.length} characters`;
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return typeof value;
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return `unknown key "${key}"`;
  const close = allowed.filter((a) => editDistance(a.toLowerCase(), key.toLowerCase()) <= 2);
  if (close.length > 0) return `unknown key "${key}" (did you mean "${close[0]}"?)`;
  return `unknown key "${key}" (allowed: ${allowed.join(', ')})`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

export function valueAt(root: unknown, path: KeyPath): unknown {
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (typeof v === 'object' && v !== null && Object.hasOwn(v, seg)) v = (v as Record<string, unknown>)[seg];
    else return undefined;
  }
  return v;
}

// --- schema introspection, for "allowed keys" in unknown-key messages --------------------------------------------

function def(s: Schema): Record<string, unknown> {
  return s._zod.def as unknown as Record<string, unknown>;
}

function isSchema(x: unknown): x is Schema {
  return typeof x === 'object' && x !== null && '_zod' in x;
}

/** Peels wrappers (optional, default, prefault, preprocess/transform pipes) down to the schema that holds the shape. */
function unwrap(s: Schema): Schema {
  for (;;) {
    const d = def(s);
    const inner = d['innerType'];
    if (isSchema(inner)) {
      s = inner;
      continue;
    }
    if (d['type'] === 'pipe' && isSchema(d['in']) && isSchema(d['out'])) {
      s = def(d['in'])['type'] === 'transform' ? d['out'] : d['in'];
      continue;
    }
    return s;
  }
}

function children(s: Schema, seg: string | number): Schema[] {
  const u = unwrap(s);
  const d = def(u);
  switch (d['type']) {
    case 'object': {
      const shape = d['shape'] as Record<string, unknown>;
      const child = Object.hasOwn(shape, String(seg)) ? shape[String(seg)] : undefined;
      return isSchema(child) ? [child] : [];
    }
    case 'record':
      return isSchema(d['valueType']) ? [d['valueType']] : [];
    case 'array':
      return isSchema(d['element']) ? [d['element']] : [];
    case 'union':
      return (d['options'] as unknown[]).filter(isSchema).flatMap((o) => children(o, seg));
    default:
      return [];
  }
}

function keysOf(s: Schema): string[] {
  const u = unwrap(s);
  const d = def(u);
  if (d['type'] === 'object') return Object.keys(d['shape'] as Record<string, unknown>);
  if (d['type'] === 'union') return (d['options'] as unknown[]).filter(isSchema).flatMap(keysOf);
  return [];
}

export function allowedKeysAt(schema: Schema, path: KeyPath): string[] {
  let level: Schema[] = [schema];
  for (const seg of path) level = level.flatMap((s) => children(s, seg));
  return [...new Set(level.flatMap(keysOf))];
}
