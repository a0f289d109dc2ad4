// Routes of API.txt whose features are not built yet. They answer 501 with a clear error rather than a 404 (the
// path is known) or a fake success.
import type { Route, HttpMethod } from '../router.js';
import { HttpError } from '../errors.js';

const PLANNED: [HttpMethod, string, string][] = [
  ['POST', '/api/v1/sessions/:id/fork', 'session fork'],
  ['GET', '/api/v1/usage', 'usage tracking'],
  ['POST', '/api/v1/orchestrate', 'orchestration'],
  ['POST', '/api/v1/pipelines', 'pipelines'],
  ['POST', '/api/v1/webhooks/git', 'git webhooks'],
];

export function notYetRoutes(skip: ReadonlySet<string> = new Set()): Route[] {
  return PLANNED.filter(([m, p]) => !skip.has(`${m} ${p}`)).map(([method, path, what]) => ({
    method,
    path,
    handler: () => {
      throw new HttpError(501, 'not_implemented', `${what} is not available in this version`);
    },
  }));
}
