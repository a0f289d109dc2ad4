// kill -9 of a real `aintegrix serve` while a pipeline step runs: the next process records the step and the pipeline
// interrupted (the steps that had ended keep their results), runs nothing by itself, and POST …/resume continues from
// the interrupted step with the earlier answers still feeding the templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoServerConfig, callServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { eventually } from '../helpers/gateway.js';

const TOKEN = 'pipeline-crash-token-0123456789';
const H = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

const api = (s: ServerProcess, method: string, path: string, body?: unknown) => callServer(s, TOKEN, method, path, body);

test('kill -9 during a step: interrupted after the restart, nothing re-run until resume, which continues from that step', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-plcrash-'));
  const config = demoServerConfig(dir, { token: TOKEN });
  let server: ServerProcess | undefined;
  t.after(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  server = await startServerProcess(['--config', config], {});
  const running = fetch(`${server.url}/api/v1/pipelines`, {
    method: 'POST',
    headers: H,
    body: JSON.stringify({
      steps: [
        { agent: 'demo' },
        { agent: 'demo', prompt_template: '/slow-first 120 s2' },
        { agent: 'demo', prompt_template: 'after {{steps.1.text}} and {{previous}}' },
      ],
      messages: [{ type: 'text', text: 'go' }],
    }),
  }).catch(() => undefined);
  const s = server;
  const id: string = await eventually(async () => (await api(s, 'GET', '/api/v1/pipelines')).body[0]?.id, 10_000, 'the pipeline');
  const step2 = await eventually(async () => (await api(s, 'GET', `/api/v1/pipelines/${id}`)).body.results[1].session_id, 15_000, 'step 2 started');
  await eventually(async () => (await api(s, 'GET', `/api/v1/sessions/${step2}/events?type=AcpMessage&limit=1000`)).body.events.some((e: { data: unknown }) => JSON.stringify(e.data).includes('agent_message_chunk')), 15_000, 'step 2 streaming');
  server.child.kill('SIGKILL');
  await server.exited;
  await running;

  server = await startServerProcess(['--config', config], {});
  const after = (await api(server, 'GET', `/api/v1/pipelines/${id}`)).body;
  assert.equal(after.final_status, 'interrupted', JSON.stringify(after));
  assert.equal(after.interrupted_step, 2);
  assert.deepEqual(after.results.map((r: { status: string }) => r.status), ['completed', 'interrupted', 'pending']);
  assert.equal(after.results[0].text, 'echo: go');
  assert.match(after.reason, /step 2 was interrupted/);
  // nothing ran by itself: two step sessions, the interrupted one closed
  const pipelineSessions = async () => (await api(server!, 'GET', '/api/v1/sessions')).body.filter((x: { origin: string }) => x.origin === 'pipeline');
  assert.equal((await pipelineSessions()).length, 2);
  assert.equal((await api(server, 'GET', `/api/v1/sessions/${step2}`)).body.status, 'closed');
  const eventsBefore = (await api(server, 'GET', `/api/v1/pipelines/${id}/events`)).body.events.map((e: { type: string }) => e.type);
  assert.deepEqual(eventsBefore, ['PipelineStarted', 'StepStarted', 'StepEnded', 'StepStarted', 'StepEnded', 'PipelineEnded']);

  const resumed = await api(server, 'POST', `/api/v1/pipelines/${id}/resume`);
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
  assert.equal(resumed.body.final_status, 'completed');
  assert.equal(resumed.body.steps_completed, 3);
  assert.equal(resumed.body.results[0].session_id, after.results[0].session_id, 'step 1 was not run again');
  assert.notEqual(resumed.body.results[1].session_id, step2);
  assert.equal(resumed.body.results[1].text, 'slow-first s2: again, at once');
  assert.equal(resumed.body.results[2].text, 'echo: after echo: go and slow-first s2: again, at once');
  assert.equal((await pipelineSessions()).length, 4);
  const again = await api(server, 'POST', `/api/v1/pipelines/${id}/resume`);
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'not_resumable');
});
