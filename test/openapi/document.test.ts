// GET /openapi.json: a valid OpenAPI 3.1 document (checked by an OpenAPI validator), every schema in it a valid JSON
// Schema 2020-12, and every route the gateway mounts in it with its operation id, responses and the bearer scheme.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ResponseChecker } from '../helpers/response-check.js';
import { startTestGateway } from '../helpers/gateway.js';
import { openApiPath } from '../../src/openapi/document.js';

test('GET /openapi.json is a valid OpenAPI 3.1 document of every mounted route', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const r = await fetch(`${g.url}/openapi.json`); // open, like /health
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  const doc = (await r.json()) as Record<string, any>;

  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.equal(validator.version, '3.1');

  // every schema compiles as JSON Schema 2020-12 (the components together, so that their $refs resolve)
  assert.ok(new ResponseChecker(doc).compileComponents().includes('SessionDetail'));

  assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', description: doc.components.securitySchemes.bearer.description });
  const ids = new Set<string>();
  for (const route of g.gw.http.routes) {
    const op = doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
    assert.ok(op, `${route.method} ${route.path} is in the document`);
    assert.deepEqual(op.security, route.auth === false ? [] : [{ bearer: [] }], `${route.method} ${route.path} security`);
    assert.ok(op.responses.default, `${route.method} ${route.path} has the error shape as default`);
    // every route documents itself (src/http/route-doc.ts): a route without its doc is a drift too
    assert.ok(!op['x-undocumented'], `${route.method} ${route.path} declares its doc`);
    assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} is unique`);
    ids.add(op.operationId);
    if (route.auth !== false) assert.ok(op.responses['401'], `${route.method} ${route.path} documents 401`);
  }
  const session = doc.paths['/api/v1/sessions/{id}'].get;
  assert.equal(session.parameters[0].name, 'id');
  assert.equal(session.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/SessionDetail');
  assert.equal(session['x-scope'], 'read');
});
