// ${VAR} expansion, applied AFTER YAML parsing to string values only. The original substituted the raw file text,
// comments included, so a value holding YAML syntax could break the document; here keys, comments and non-string
// scalars are never touched, and an expanded value can never change the document's structure.
//
// Syntax (in any string value, anywhere in the string):
//   ${NAME}            the variable's value; an error if NAME is not set (set to "" counts as set)
//   ${NAME:-default}   the variable's value, or `default` when NAME is unset or empty (shell semantics);
//                      `default` is literal text up to the first `}` (no nesting)
//   $${                a literal `${` (so `$${HOME}` gives the text `${HOME}`)
// NAME is [A-Za-z_][A-Za-z0-9_]*. A lone `$` or `$NAME` without braces is left as it is.
// Expanded values stay strings; numeric and boolean fields accept numeric/boolean-looking strings (see fields.ts),
// which is what makes `port: ${PORT:-8050}` work.
import type { ConfigProblem, KeyPath } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands one string; throws an Error whose message says what is wrong (no location: the caller adds it). */
export function expandString(text: string, env: Env): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) break;
    out += text.slice(i, dollar);
    if (text.startsWith('$${', dollar)) {
      out += '${';
      i = dollar + 3;
      continue;
    }
    if (!text.startsWith('${', dollar)) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) throw new Error('unterminated "${" (write "$${" for a literal "${")');
    out += resolveReference(text.slice(dollar + 2, close), env);
    i = close + 1;
  }
  return out + text.slice(i);
}

function resolveReference(body: string, env: Env): string {
  const sep = body.indexOf(':-');
  const name = sep === -1 ? body : body.slice(0, sep);
  if (!NAME.test(name)) {
    throw new Error(`invalid variable reference "\${${body}}": expected \${NAME} or \${NAME:-default}`);
  }
  const value = env[name];
  if (sep !== -1) return value === undefined || value === '' ? body.slice(sep + 2) : value;
  if (value === undefined) {
    throw new Error(`environment variable ${name} is not set (write \${${name}:-default} to give a default)`);
  }
  return value;
}

export interface ExpansionResult {
  value: unknown;
  problems: ConfigProblem[];
}

/**
 * Returns a copy of a parsed YAML value (plain objects, arrays, scalars) with every string value expanded. Keys are
 * kept verbatim. Every failing string yields a problem at its key path; the rest is still expanded.
 */
export function expandEnvInValues(value: unknown, env: Env): ExpansionResult {
  const problems: ConfigProblem[] = [];
  const walk = (v: unknown, path: KeyPath): unknown => {
    if (typeof v === 'string') {
      try {
        return expandString(v, env);
      } catch (e) {
        problems.push({ path, message: e instanceof Error ? e.message : String(e) });
        return v;
      }
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        Object.defineProperty(out, k, { value: walk(item, [...path, k]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  return { value: walk(value, []), problems };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
