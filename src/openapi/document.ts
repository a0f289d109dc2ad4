// GET /openapi.json: the OpenAPI 3.1 document of the routes the gateway mounts, generated from the RouteDoc each
// route declares (src/http/route-doc.ts): the same zod schemas the handlers parse requests with, the zod schemas of
// their answers, the error shape, the bearer scheme and the scope each operation needs.
import type { Route } from '../http/router.js';
import type { ResponseDoc, RouteDoc } from '../http/route-doc.js';
import { errorSchema } from '../http/schemas/error.js';
import { SchemaComponents, type JsonSchema } from './json-schema.js';

export interface DocumentInfo {
  version: string;
}

type Operation = Record<string, unknown>;

/** `/api/v1/sessions/:id` → `/api/v1/sessions/{id}` */
export function openApiPath(pattern: string): string {
  return pattern.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

export function openApiDocument(routes: readonly Route[], info: DocumentInfo): Record<string, unknown> {
  const components = new SchemaComponents();
  const errorRef = components.convert(errorSchema, 'output');
  const paths: Record<string, Record<string, Operation>> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    const path = openApiPath(route.path);
    const item = (paths[path] ??= {});
    const method = route.method.toLowerCase();
    if (route.doc) tags.add(route.doc.tag);
    item[method] = route.doc ? operation(route, route.doc, components, errorRef) : undocumented(route, errorRef);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'aintegrix',
      version: info.version,
      description: 'A gateway that puts ACP coding agents behind REST, WebSocket, SSE and MCP, with every step recorded in an append-only event log.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token of auth.tokens (or AINTEGRIX_API_KEY)' } },
    },
  };
}

function operation(route: Route, doc: RouteDoc, components: SchemaComponents, errorRef: JsonSchema): Operation {
  const op: Operation = { operationId: doc.operationId, summary: doc.summary, tags: [doc.tag] };
  if (doc.description) op.description = doc.description;
  const parameters = [...pathParameters(route.path, doc.params), ...queryParameters(doc, components)];
  if (parameters.length > 0) op.parameters = parameters;
  if (doc.body) {
    op.requestBody = { required: doc.bodyOptional !== true, content: { 'application/json': { schema: components.convert(doc.body, 'input') } } };
  }
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(doc.responses)) responses[status] = response(r, components);
  const error = (description: string, schema = errorRef) => ({ description, content: { 'application/json': { schema } } });
  const ownError = doc.errorBody ? components.convert(doc.errorBody, 'output') : errorRef;
  if (doc.body || doc.query) responses['400'] ??= error('invalid_request: a bad body, query or path (the message names the field)');
  if (route.auth !== false) {
    responses['401'] = error('unauthorized: no valid bearer token');
    if (route.scope !== 'any') responses['403'] = error(`insufficient_scope: the token lacks '${route.scope}'`);
    responses['429'] = error('rate_limited: too many requests for this token (Retry-After)');
  }
  for (const [status, when] of Object.entries(doc.errors ?? {})) responses[status] = error(when, ownError);
  responses.default = error('any other error, in the same shape', ownError);
  op.responses = responses;
  security(op, route);
  return op;
}

/** A route that declares no RouteDoc yet: listed with the error shape only, so the document never hides a path. */
function undocumented(route: Route, errorRef: JsonSchema): Operation {
  const op: Operation = {
    summary: `${route.method} ${route.path} (not documented yet)`,
    parameters: pathParameters(route.path, undefined),
    responses: { default: { description: 'the error shape; the success responses are not documented yet', content: { 'application/json': { schema: errorRef } } } },
    'x-undocumented': true,
  };
  if ((op.parameters as unknown[]).length === 0) delete op.parameters;
  security(op, route);
  return op;
}

function security(op: Operation, route: Route): void {
  op.security = route.auth === false ? [] : [{ bearer: [] }];
  if (route.auth !== false) op['x-scope'] = route.scope;
}

function pathParameters(pattern: string, described: Record<string, string> | undefined) {
  const names = [...pattern.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  return names.map((name) => ({ name, in: 'path', required: true, description: described?.[name] ?? name, schema: { type: 'string' } }));
}

function queryParameters(doc: RouteDoc, components: SchemaComponents) {
  if (!doc.query) return [];
  const object = components.convert(doc.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: 'query',
      required: object.required?.includes(name) ?? false,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function response(r: ResponseDoc, components: SchemaComponents) {
  const content: Record<string, unknown> = {};
  if (r.json) content['application/json'] = { schema: components.convert(r.json, 'output') };
  for (const [type, m] of Object.entries(r.media ?? {})) {
    content[type] = {
      schema: { type: 'string', description: m.description },
      ...(m.item ? { 'x-item-schema': components.convert(m.item, 'output') } : {}),
    };
  }
  return Object.keys(content).length > 0 ? { description: r.description, content } : { description: r.description };
}
