// What a route says about itself for GET /openapi.json (src/openapi/): its request (the same zod schemas its handler
// parses with), every response it answers with (zod schemas of the JSON it sends), and the errors it answers besides
// the ones every route shares (the router's 400/401/403/429 and the `default` error shape). The document is generated
// from these, and the integration tests check every real response against it (test/helpers/response-check.ts).
import type { ZodObject, ZodType } from 'zod';

export interface ResponseDoc {
  description: string;
  /** the application/json body (omit for a response without a body, e.g. 204) */
  json?: ZodType;
  /**
   * bodies in other media types (`text/event-stream`, `application/x-ndjson`, `text/plain`): each with a description
   * of its frames or lines and, where it has one, the schema of one frame's data or one line
   */
  media?: Record<string, { description: string; item?: ZodType }>;
}

export interface RouteDoc {
  /** a stable name of the operation (the typed client's method name), lowerCamelCase: `createSession` */
  operationId: string;
  summary: string;
  description?: string;
  /** the group it is listed under: `sessions`, `approvals`, ... */
  tag: string;
  /** each `:param` of the path with its description */
  params?: Record<string, string>;
  /** the strict object schema the handler parses the query with (parseQuery / parseWith) */
  query?: ZodObject;
  /** the schema the handler parses the JSON body with */
  body?: ZodType;
  /** the handler takes a missing body as `{}` */
  bodyOptional?: boolean;
  /** every status < 400 the route answers with */
  responses: Record<number, ResponseDoc>;
  /** the error statuses particular to this route (status → when); each has the error shape */
  errors?: Record<number, string>;
  /**
   * the body of this route's own errors and of `default`, when it is not the API's error shape (MCP answers JSON-RPC
   * errors); the router's 401/403/429 keep the API's shape
   */
  errorBody?: ZodType;
}
