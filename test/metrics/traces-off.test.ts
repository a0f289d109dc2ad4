// Without telemetry.otlp_endpoint no span is made and the OpenTelemetry SDK is never loaded (boot time is
// benchmarked without it). Its own file: node's test runner gives each file a process of its own, so no other test
// loaded the SDK before this one looks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { says, startTestGateway } from '../helpers/gateway.js';

test('traces: off unless configured, and the SDK is then never loaded', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id as string;
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('hi'))).status, 200);
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  assert.ok(!loaded.some((p) => p.includes('@opentelemetry/sdk-trace-base')), 'the SDK stays unloaded');
});
