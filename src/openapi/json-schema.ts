// zod → JSON Schema 2020-12 (the dialect of OpenAPI 3.1) for the document: schemas carrying a `.meta({id})` become
// shared components (#/components/schemas/<id>) instead of one copy per operation.
import { z, type ZodType } from 'zod';

export type JsonSchema = Record<string, unknown>;

// the schemas are module constants and every gateway (a test run starts hundreds) documents the same ones
const converted = { input: new WeakMap<ZodType, string>(), output: new WeakMap<ZodType, string>() };

function toJsonSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  let text = converted[io].get(schema);
  if (text === undefined) {
    text = JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }));
    converted[io].set(schema, text);
  }
  return JSON.parse(text) as JsonSchema;
}

export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /**
   * `schema` as JSON Schema: `input` for what a client sends (defaults make fields optional), `output` for what the
   * gateway answers (objects are closed: a field the document does not name is a drift the tests catch).
   */
  convert(schema: ZodType, io: 'input' | 'output'): JsonSchema {
    const json = toJsonSchema(schema, io);
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    // the same id may convert differently as input and as output (defaults, closed objects): name them apart
    const rename = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) rename.set(id, this.add(id, def, io));
    const rewritten = rewriteRefs(json, rename);
    for (const [id, def] of Object.entries(defs)) this.schemas[rename.get(id)!] = rewriteRefs(def, rename);
    return rewritten;
  }

  private add(id: string, def: JsonSchema, io: 'input' | 'output'): string {
    const existing = this.schemas[id];
    if (existing === undefined || sameJson(existing, rewriteRefs(def, new Map()))) return id;
    return io === 'input' ? `${id}Input` : `${id}Output`;
  }
}

function rewriteRefs<T>(value: T, rename: ReadonlyMap<string, string>): T {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, rename)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
      const id = v.slice('#/$defs/'.length);
      out[k] = `#/components/schemas/${rename.get(id) ?? id}`;
    } else out[k] = rewriteRefs(v, rename);
  }
  return out as T;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
