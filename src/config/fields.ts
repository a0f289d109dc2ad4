// Reusable field schemas for the config. Each carries its own "expected ..." message; the issue formatter
// (issues.ts) appends `, got <value>` from the file.
//
// Coercion rule (one rule, for every field, whether the string came from ${VAR} expansion or was quoted in YAML):
// numeric fields accept a string that is exactly a decimal number ("8050", " 3 "), boolean fields accept "true" and
// "false" (any case), and the string fields that end up as process arguments or environment values (agent args,
// env, MCP server args/env/headers) accept numbers and booleans, stringified. Nothing else is coerced: "three"
// for a number or 3 for a host name is an error.
import { z } from 'zod';

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function numberFromString(v: unknown): unknown {
  if (typeof v === 'string' && DECIMAL.test(v.trim())) return Number(v.trim());
  return v;
}

function booleanFromString(v: unknown): unknown {
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return v;
}

function nullToUndefined(v: unknown): unknown {
  return v === null ? undefined : v;
}

export function integer(min: number, max: number, expected: string) {
  const error = () => `expected ${expected}`;
  return z.preprocess(numberFromString, z.number({ error }).int({ error }).min(min, { error }).max(max, { error }));
}

export const positiveInt = () => integer(1, Number.MAX_SAFE_INTEGER, 'a positive integer');
export const nonNegativeInt = () => integer(0, Number.MAX_SAFE_INTEGER, 'an integer >= 0');

/** A duration in seconds; fractions allowed (tests use short timeouts). */
export function seconds() {
  const error = () => 'expected a positive number of seconds';
  return z.preprocess(numberFromString, z.number({ error }).positive({ error }));
}

export function positiveNumber() {
  const error = () => 'expected a positive number';
  return z.preprocess(numberFromString, z.number({ error }).positive({ error }));
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/;
const UNIT: Record<string, number> = { B: 1, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3 };

/** A byte count: an integer, or a string such as "256KiB", "1 MiB", "10MB" (KB/MB/GB = 1000-based). */
export function byteSize() {
  const error = () => 'expected a size in bytes (an integer >= 1, or e.g. "256KiB", "1MiB")';
  const parse = (v: unknown): unknown => {
    if (typeof v !== 'string') return v;
    const m = SIZE.exec(v.trim());
    if (m === null) return v;
    return Math.round(Number(m[1]) * (UNIT[m[2] ?? 'B'] ?? 1));
  };
  return z.preprocess(parse, z.number({ error }).int({ error }).min(1, { error }).max(Number.MAX_SAFE_INTEGER, { error }));
}

export function boolean() {
  const error = () => 'expected true or false';
  return z.preprocess(booleanFromString, z.boolean({ error }));
}

export function nonEmptyString(expected = 'a non-empty string') {
  const error = () => `expected ${expected}`;
  return z.string({ error }).min(1, { error });
}

/** A string that becomes a process argument or an environment value: numbers and booleans are stringified. */
export function argString() {
  const error = () => 'expected a string';
  return z.preprocess(
    (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v),
    z.string({ error }),
  );
}

export function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  const error = () => `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return z.enum(values, { error });
}

/** An optional field where an empty YAML value (`key:` or `key: null`) means "not set", as in the original. */
export function optional<T extends z.ZodType>(inner: T) {
  return z.preprocess(nullToUndefined, inner.optional());
}

export function list<T extends z.ZodType>(item: T) {
  return z.array(item, { error: () => 'expected a list' });
}

/** A map with free keys (validated by `key`) and typed values. */
export function map<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V) {
  return z.record(key, value, { error: () => 'expected a map' });
}

/** A section with a fixed set of keys: unknown keys are errors. */
export function section<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape, { error: () => 'expected a map' });
}

/** Environment variable names as a process accepts them. */
export const envName = () =>
  z.string().regex(/^[^=\0]+$/, { error: () => 'invalid environment variable name (it must not contain "=")' });

/** A string→string map of environment variables (values may be numbers/booleans, stringified). */
export const envMap = () => map(envName(), argString()).default(() => ({}));

/** Shell-style glob: only checked to be a non-empty string here; matching belongs to the permission engine. */
export const glob = () => nonEmptyString('a glob pattern (a non-empty string)');
