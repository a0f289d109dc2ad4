// Every answer the tests get through the gateway helper's api() is checked against GET /openapi.json: a status the
// route's document does not list, a body that is not the documented schema (a missing, mistyped or undocumented
// field), a media type not documented, or an error not in the error shape fails the test that saw it. The document
// is fetched from the gateway under test (it depends on its config), once per gateway.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { AssertionError } from 'node:assert';

type Json = Record<string, any>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

interface Operation {
  template: string;
  op: Json;
}

export class ResponseChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: { method: string; regex: RegExp; template: string; literal: number }[] = [];

  constructor(readonly doc: Json) {
    addFormats(this.ajv);
    // the components as one schema resource, so that each response schema's $refs resolve
    this.ajv.addSchema({ $id: 'aix:components', $defs: toComponentRefs(doc.components?.schemas ?? {}) });
    for (const [template, item] of Object.entries<Json>(doc.paths ?? {})) {
      const regex = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      // like uWS: a literal segment wins over a parameter (`/agents/status` before `/agents/{name}`)
      const literal = template.split('/').filter((s) => !s.startsWith('{')).length;
      for (const method of Object.keys(item)) this.routes.push({ method: method.toUpperCase(), regex, template, literal });
    }
    this.routes.sort((a, b) => b.literal - a.literal);
  }

  /** Compile every component schema as JSON Schema 2020-12 (throws on the first that is not one). */
  compileComponents(): string[] {
    const ids = Object.keys(this.doc.components?.schemas ?? {});
    for (const id of ids) {
      try {
        this.ajv.compile(toComponentRefs(this.doc.components.schemas[id]));
      } catch (e) {
        throw new Error(`component ${id}: ${(e as Error).message}`);
      }
    }
    return ids;
  }

  /** The operation `method path` reaches, if the document has one. */
  find(method: string, path: string): Operation | undefined {
    const m = method.toUpperCase();
    const r = this.routes.find((x) => x.method === m && x.regex.test(path));
    return r ? { template: r.template, op: this.doc.paths[r.template][r.method.toLowerCase()] } : undefined;
  }

  /** Throws an AssertionError naming the drift when the answer is not what the document says. */
  check(method: string, url: string, status: number, contentType: string | null, text: string): void {
    const path = new URL(url, 'http://x').pathname;
    const found = this.find(method, path);
    const where = found ? `${method.toUpperCase()} ${found.template}` : `${method.toUpperCase()} ${path}`;
    if (!found || found.op['x-undocumented']) {
      // an unknown path (404/405) or a route without its document yet: only the error shape is known
      if (status >= 400) this.checkBody(where, status, this.doc.components.schemas.Error ? { $ref: '#/components/schemas/Error' } : undefined, 'error', contentType, text);
      return;
    }
    const responses: Json = found.op.responses;
    const response = responses[String(status)] ?? (status >= 400 ? responses.default : undefined);
    if (!response) {
      const listed = Object.keys(responses).filter((s) => s !== 'default').join(', ');
      this.fail(where, status, `answered ${status}, which its document does not list (it lists ${listed})`, text);
    }
    const content: Json | undefined = response.content;
    if (!content) {
      if (text !== '') this.fail(where, status, 'answered a body where the document says there is none', text);
      return;
    }
    const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const entry = content[media];
    if (!entry) this.fail(where, status, `answered ${media || 'no content-type'}; the document lists ${Object.keys(content).join(', ')}`, text);
    if (media !== 'application/json') return; // streams (SSE, NDJSON) and text: the media type is what is checked here
    this.checkBody(where, status, entry.schema, `${status}`, contentType, text);
  }

  private checkBody(where: string, status: number, schema: Json | undefined, key: string, contentType: string | null, text: string): void {
    if (!schema) return;
    if (!(contentType ?? '').startsWith('application/json')) this.fail(where, status, `answered ${contentType ?? 'no content-type'} where JSON is documented`, text);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.fail(where, status, 'answered a body that is not JSON', text);
    }
    const cacheKey = `${where} ${key}`;
    let validate = this.compiled.get(cacheKey);
    if (!validate) {
      validate = this.ajv.compile(toComponentRefs(schema));
      this.compiled.set(cacheKey, validate);
    }
    if (validate(body)) return;
    const problems = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '(body)'} ${e.message}${e.keyword === 'additionalProperties' ? `: '${(e.params as { additionalProperty: string }).additionalProperty}'` : ''}`);
    this.fail(where, status, `answered a body that is not its documented schema:\n  ${problems.join('\n  ')}`, text);
  }

  private fail(where: string, status: number, what: string, text: string): never {
    throw new AssertionError({
      message: `OpenAPI drift: ${where} ${what}\n  body: ${text.slice(0, 600)}\n(fix the route's doc in its RouteDoc, or the answer; see README "OpenAPI and client")`,
      actual: status,
    });
  }
}

function toComponentRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(toComponentRefs) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', 'aix:components#/$defs/') : toComponentRefs(v);
  }
  return out as T;
}

const checkers = new Map<string, Promise<ResponseChecker>>();

/** The checker of the gateway at `baseUrl` (its document fetched once). */
export function responseChecker(baseUrl: string): Promise<ResponseChecker> {
  let c = checkers.get(baseUrl);
  if (!c) {
    c = fetch(`${baseUrl}/openapi.json`).then(async (r) => {
      if (r.status !== 200) throw new Error(`GET /openapi.json answered ${r.status}`);
      return new ResponseChecker((await r.json()) as Json);
    });
    checkers.set(baseUrl, c);
  }
  return c;
}

/** Forget a gateway's document (it closed; a new one may reuse the port with another config). */
export function forgetResponseChecker(baseUrl: string): void {
  checkers.delete(baseUrl);
}
