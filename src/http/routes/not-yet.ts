// Routes of API.txt whose features are not built yet. They answer 501 with a clear error rather than a 404 (the
// path is known) or a fake success.
import type { Route, HttpMethod } from '../router.js';
import { HttpError } from '../errors.js';
import { scopeFor, type Operation } from '../scopes.js';

// each with the operation it will be, so a token learns of a missing scope before it learns of a missing feature
// and its operationId in GET /openapi.json (the routes that replace these keep it: the typed client calls it)
const PLANNED: [HttpMethod, string, string, Operation, string][] = [
];

export function notYetRoutes(skip: ReadonlySet<string> = new Set()): Route[] {
  return PLANNED.filter(([m, p]) => !skip.has(`${m} ${p}`)).map(([method, path, what, operation, operationId]) => ({
    method,
    path,
    scope: scopeFor(operation),
    doc: { operationId, summary: `${what}: not available in this version (501)`, tag: 'planned', responses: {}, errors: { 501: 'not_implemented' } },
    handler: () => {
      throw new HttpError(501, 'not_implemented', `${what} is not available in this version`);
    },
  }));
}
