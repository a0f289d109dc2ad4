// A session taken over by another node needs its workspace there. Two real gateways on one real PostgreSQL database;
// A runs two sessions, one in a client's own directory and one in a clone of a real git repository; both folders are
// gone when B takes them over (as on another machine). The clone is cloned again and the session goes on; the
// client's directory cannot move: the session fails saying so, and a prompt is refused.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../helpers/postgres.js';
import { demoAgent, promptText, says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';
import { git, makeBareRepo } from '../repos/fixtures.js';

const WAIT = 30_000;
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('on takeover a clone is made again on the new node; a client\'s directory cannot move and the session fails clearly', async () => {
  const url = await createTestDatabase('ws_move');
  const db = new pg.Pool({ connectionString: url, max: 1 });
  cleanups.push(() => db.end());
  const roots = mkdtempSync(join(tmpdir(), 'aix-ws-move-'));
  cleanups.push(() => rmSync(roots, { recursive: true, force: true }));
  const repo = makeBareRepo({ 'README.md': '# moved\n' });
  cleanups.push(() => repo.remove());
  const node = async (id: string): Promise<TestGateway> => {
    const g = await startTestGateway({
      agents: { demo: demoAgent([], { env: { DEMO_AGENT_STORE: join(roots, 'agent-store') } }) },
      store: { kind: 'postgres', url },
      cluster: { node_id: id, lease_ttl_secs: 4, heartbeat_secs: 1 },
      git: { base_url: repo.baseUrl, allow_file_urls: true },
      workspaces: { allowed_roots: [roots] },
    });
    cleanups.push(() => g.dispose());
    return g;
  };
  const a = await node('a');
  const b = await node('b');

  const own = join(roots, 'client-dir');
  mkdirSync(own);
  const local = await a.api('POST', '/api/v1/sessions', { agent: 'demo', workspace_root: own });
  assert.equal(local.status, 201, JSON.stringify(local.body));
  const cloned = await a.api('POST', '/api/v1/sessions', { agent: 'demo', repo: repo.url });
  assert.equal(cloned.status, 201, JSON.stringify(cloned.body));
  const clone = (await a.api('GET', `/api/v1/sessions/${cloned.body.id}`)).body.workspace_root as string;
  assert.equal(await promptText(a, cloned.body.id, 'first'), 'echo: first');

  // A's machine goes away with its folders
  rmSync(own, { recursive: true, force: true });
  rmSync(clone, { recursive: true, force: true });
  await a.close();
  const owner = async (id: string) => (await db.query<{ node_id: string }>('SELECT node_id FROM leases WHERE key = $1', [`session:${id}`])).rows[0]?.node_id;
  await eventually(async () => (await owner(local.body.id)) === 'b' && (await owner(cloned.body.id)) === 'b', WAIT, 'B to take both sessions');

  // the clone is there again, at the same head, and the conversation goes on in it
  await eventually(() => existsSync(join(clone, 'README.md')), WAIT, 'the clone made again');
  assert.equal(git(clone, 'rev-parse', 'HEAD'), repo.heads.main);
  assert.match(await promptText(b, cloned.body.id, '/history'), /1\. first\n2\. \/history/);

  // the client's directory did not move: failed, with the reason; a prompt is refused
  const failed = await eventually(async () => {
    const s = await b.api('GET', `/api/v1/sessions/${local.body.id}`);
    return s.body.status === 'failed' ? s.body : undefined;
  }, WAIT, 'the session to fail');
  assert.equal(failed.last_error.code, 'workspace_not_on_node');
  assert.match(failed.last_error.message, /cannot move to this node/);
  const refused = await b.api('POST', `/api/v1/sessions/${local.body.id}/prompt`, says('hello'));
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'session_closed');
});
