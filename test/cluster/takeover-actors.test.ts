// A pipeline whose node stops while a step runs is taken over by another node as after a restart: recorded
// interrupted (the earlier steps keep their results), nothing re-run by itself, and a resume sent to any node runs it
// on its new owner from the interrupted step. Two real gateways on one real PostgreSQL database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../helpers/postgres.js';
import { demoAgent, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

const WAIT = 30_000;
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('a pipeline running on A when A stops is interrupted by the node that takes it over, and resumes there', async () => {
  const url = await createTestDatabase('pl_move');
  const db = new pg.Pool({ connectionString: url, max: 1 });
  cleanups.push(() => db.end());
  const shared = mkdtempSync(join(tmpdir(), 'aix-pl-move-'));
  cleanups.push(() => rmSync(shared, { recursive: true, force: true }));
  const node = async (id: string): Promise<TestGateway> => {
    const g = await startTestGateway({
      agents: { demo: demoAgent([], { max_sessions: 20, env: { DEMO_AGENT_STORE: join(shared, 'agent-store') } }) },
      store: { kind: 'postgres', url },
      cluster: { node_id: id, lease_ttl_secs: 4, heartbeat_secs: 1 },
      // the nodes share the workspaces' layout (README: Several nodes): a pipeline's workspace path means the same
      workspaces: { dir: join(shared, 'workspaces') },
    });
    cleanups.push(() => g.dispose());
    return g;
  };
  const a = await node('a');
  const b = await node('b');

  const started = a.api('POST', '/api/v1/pipelines', {
    steps: [{ agent: 'demo' }, { agent: 'demo', prompt_template: '/slow-first 120 s2' }],
    messages: [{ type: 'text', text: 'go' }],
  });
  started.catch(() => undefined);
  const id: string = await eventually(async () => (await a.api('GET', '/api/v1/pipelines')).body[0]?.id, WAIT, 'the pipeline');
  await eventually(async () => (await a.api('GET', `/api/v1/pipelines/${id}`)).body.results[1]?.session_id, WAIT, 'step 2 started');
  const holder = async () => (await db.query<{ node_id: string }>('SELECT node_id FROM leases WHERE key = $1', [`pipeline:${id}`])).rows[0]?.node_id;
  assert.equal(await holder(), 'a');

  await a.close();
  await started.catch(() => undefined);
  await eventually(async () => (await holder()) === 'b', WAIT, 'B to take the pipeline over');
  const interrupted = await eventually(async () => {
    const r = (await b.api('GET', `/api/v1/pipelines/${id}`)).body;
    return r.final_status === 'interrupted' ? r : undefined;
  }, WAIT, 'the pipeline interrupted');
  assert.equal(interrupted.interrupted_step, 2);
  assert.equal(interrupted.results[0].text, 'echo: go');

  const resumed = await b.api('POST', `/api/v1/pipelines/${id}/resume`);
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
  assert.equal(resumed.body.final_status, 'completed', JSON.stringify(resumed.body));
  assert.equal(resumed.body.results[0].session_id, interrupted.results[0].session_id, 'step 1 was not run again');
  assert.equal(resumed.body.results[1].text, 'slow-first s2: again, at once');
});
