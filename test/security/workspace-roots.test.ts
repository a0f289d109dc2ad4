// A client chooses where a session works only within workspaces.dir and workspaces.allowed_roots: `/`, the data
// dir, anything inside it, its parents and symlinks that lead out of the allowed roots are refused with
// 400 workspace_not_allowed, on every way in (REST create, POST /api/v1/stream, the MCP create tool). Before this,
// `workspace_root: "/"` was accepted and an agent could read /etc/shadow or overwrite the data dir's api-token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { says, startTestGateway } from '../helpers/gateway.js';
import { connectSdkClient, textOf } from '../mcp/helpers.js';
import { loadConfigText } from '../../src/config/index.js';

test('refused workspace roots: /, the data dir, its parent, inside it, outside the allowed roots, a symlink out', async (t) => {
  const allowed = mkdtempSync(join(tmpdir(), 'aix-allowed-'));
  const outside = mkdtempSync(join(tmpdir(), 'aix-outside-'));
  t.after(() => {
    rmSync(allowed, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  mkdirSync(join(allowed, 'project'));
  const g = await startTestGateway({ workspaces: { allowed_roots: [allowed] } });
  t.after(() => g.dispose());
  const dataDir = g.gw.config.store.data_dir;
  mkdirSync(join(dataDir, 'inner'));
  symlinkSync(outside, join(allowed, 'link-out'));
  symlinkSync(dataDir, join(allowed, 'link-to-data'));
  symlinkSync('/', join(allowed, 'link-to-root'));

  const cases: [string, RegExp][] = [
    ['/', /filesystem root/],
    ['/etc', /outside workspaces.dir and workspaces.allowed_roots/],
    [dataDir, /it is the gateway's data dir/],
    [join(dataDir, 'inner'), /inside the gateway's data dir/],
    [dirname(dataDir), /contains the gateway's data dir/],
    [outside, /outside workspaces.dir/],
    [join(allowed, 'link-out'), /resolves to .*outside workspaces.dir/],
    [join(allowed, 'link-to-data'), /resolves to .*data dir/],
    [join(allowed, 'link-to-root'), /resolves to '\/'.*filesystem root/],
    [join(allowed, 'project', '..', '..', basename(outside)), /outside workspaces.dir/],
  ];
  for (const [root, reason] of cases) {
    const r = await g.api('POST', '/api/v1/sessions', { agent: 'demo', workspace_root: root });
    assert.equal(r.status, 400, `${root}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'workspace_not_allowed', root);
    assert.match(r.body.error.message, reason, root);
    const s = await g.api('POST', '/api/v1/stream', { agent: 'demo', workspace_root: root, ...says('hi') });
    assert.equal(s.status, 400, `stream ${root}`);
    assert.equal(s.body.error.code, 'workspace_not_allowed', `stream ${root}`);
  }
  const mcp = await connectSdkClient(g);
  t.after(() => mcp.close());
  for (const root of ['/', dataDir, join(allowed, 'link-out')]) {
    const r = await mcp.client.callTool({ name: 'acp_create_session', arguments: { agent: 'demo', workspace_root: root } });
    assert.equal(r.isError, true, root);
    assert.match(textOf(r), /workspace_root .* is not allowed/, root);
  }
  assert.deepEqual((await g.api('GET', '/api/v1/sessions')).body, [], 'no refused request created a session');

  // allowed: a folder in an allowed root, and one in workspaces.dir
  const ok = await g.api('POST', '/api/v1/sessions', { agent: 'demo', workspace_root: join(allowed, 'project') });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  mkdirSync(join(g.gw.config.workspaces.dir, 'mine'), { recursive: true });
  const inDir = await g.api('POST', '/api/v1/sessions', { agent: 'demo', workspace_root: join(g.gw.config.workspaces.dir, 'mine') });
  assert.equal(inDir.status, 201, JSON.stringify(inDir.body));
});

test('a session without workspace_root works in a private folder of workspaces.dir, outside the data dir', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  assert.equal(g.gw.config.workspaces.dir, `${g.gw.config.store.data_dir}-workspaces`);
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  assert.equal(s.status, 201);
  const ws = (await g.api('GET', `/api/v1/sessions/${s.body.id}`)).body.workspace_root as string;
  assert.equal(ws, join(g.gw.config.workspaces.dir, s.body.id));
  assert.equal(statSync(ws).mode & 0o777, 0o700);
  assert.equal(statSync(g.gw.config.workspaces.dir).mode & 0o777, 0o700);
  assert.match((await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, says('/write a.txt hello'))).body.text, /wrote/);
});

test('the config refuses workspaces.dir and allowed_roots at / or inside the data dir', () => {
  const load = (workspaces: string) => () => loadConfigText(`store: {data_dir: /srv/aix/data}\nworkspaces: ${workspaces}\n`, 'c.yaml', {});
  assert.throws(load('{allowed_roots: [/]}'), /workspaces\.allowed_roots\[0\]: cannot be a workspace root: it is the filesystem root/);
  assert.throws(load('{allowed_roots: [/srv/aix/data/ws]}'), /allowed_roots\[0\]: cannot be a workspace root: it is inside the gateway's data dir/);
  assert.throws(load('{dir: /srv/aix/data}'), /workspaces\.dir: cannot hold the workspaces: it is the gateway's data dir/);
  const ok = loadConfigText('store: {data_dir: /srv/aix/data}\nworkspaces: {allowed_roots: [/srv]}\n', 'c.yaml', {}).config;
  assert.deepEqual(ok.workspaces, { dir: '/srv/aix/data-workspaces', allowed_roots: ['/srv'], homes_dir: '/srv/aix/data-agent-homes' });
});
