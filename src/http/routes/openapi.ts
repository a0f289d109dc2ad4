// GET /openapi.json: the OpenAPI 3.1 document of every route this gateway mounts (src/openapi/document.ts). Open
// like /health: it describes the API, never its data. Built once, on the first request.
import { z } from 'zod';
import { preparedReply, type Reply, type Route } from '../router.js';
import { openApiDocument } from '../../openapi/document.js';
import { CLIENT_INFO } from '../../sessions/agent-attach.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The route serving the document of `routes` plus itself. */
export function openApiRoute(routes: readonly Route[]): Route {
  let reply: Reply | undefined;
  const self: Route = {
    method: 'GET',
    path: '/openapi.json',
    auth: false,
    doc: {
      operationId: 'getOpenApi',
      summary: 'This document: OpenAPI 3.1 of every route, generated from the schemas the gateway validates with',
      tag: 'meta',
      responses: { 200: { description: 'the OpenAPI document', json: z.record(z.string(), z.unknown()) } },
    },
    handler: () => {
      reply ??= preparedReply(200, JSON.stringify(openApiDocument([...routes, self], { version: CLIENT_INFO.version })), JSON_HEADERS);
      return reply;
    },
  };
  return self;
}
