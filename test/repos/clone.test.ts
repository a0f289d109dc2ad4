// Sessions on a fresh clone: `repo` (a URL or owner/name against git.base_url) and `branch` clone with depth 1 into
// a new workspace in workspaces.dir that the session owns and that is removed when it closes; the clone is an event
// (RepoCloned: url, branch, head, bytes) and part of the answer, on REST, POST /stream and the MCP create tool.
// Bad names are refused before git runs, an oversized checkout is 413 and a failing git 502; nothing is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { says, startTestGateway } from '../helpers/gateway.js';
import { connectSdkClient, textOf } from '../mcp/helpers.js';
import { git, makeBareRepo } from './fixtures.js';
import { eventually } from '../helpers/poll.js';

function workspaceOf(g: { api: (m: string, p: string) => Promise<{ body: any }> }, id: string): Promise<string> {
  return g.api('GET', `/api/v1/sessions/${id}`).then((r) => r.body.workspace_root ?? r.body.workspace);
}

test('clone: the default branch, a named branch, owner/name, the event, the workspace removed on close', async (t) => {
  const repo = makeBareRepo({ 'README.md': '# demo\n', 'src/main.rs': 'fn main() {}\n' });
  t.after(() => repo.remove());
  const g = await startTestGateway({ git: { base_url: repo.baseUrl, allow_file_urls: true } });
  t.after(() => g.dispose());

  const r = await g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: repo.url });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual({ ...r.body.repo, bytes: undefined }, { url: repo.url, branch: 'main', head: repo.heads.main, bytes: undefined });
  assert.ok(r.body.repo.bytes > 0);
  const ws = await workspaceOf(g, r.body.id);
  assert.ok(ws.startsWith(g.gw.config.workspaces.dir), ws);
  assert.ok(existsSync(join(ws, 'src/main.rs')));
  assert.ok(!existsSync(join(ws, 'develop.txt')), 'main has no develop.txt');
  assert.equal(git(ws, 'rev-parse', 'HEAD'), repo.heads.main);
  assert.equal(git(ws, 'rev-list', '--count', 'HEAD'), '1', 'depth 1');
  const events = await g.api('GET', `/api/v1/sessions/${r.body.id}/events?type=RepoCloned`);
  assert.equal(events.body.events.length, 1);
  assert.deepEqual(events.body.events[0].data, r.body.repo);

  // a named branch, owner/name against git.base_url
  const d = await g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: 'acme/tool', branch: 'develop' });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  assert.equal(d.body.repo.branch, 'develop');
  assert.equal(d.body.repo.head, repo.heads.develop);
  const dws = await workspaceOf(g, d.body.id);
  assert.ok(existsSync(join(dws, 'develop.txt')));
  assert.notEqual(dws, ws, 'each clone gets its own workspace');

  // the agent works in the clone
  const p = await g.api('POST', `/api/v1/sessions/${d.body.id}/prompt`, says('hello'));
  assert.equal(p.status, 200, JSON.stringify(p.body));

  // closing removes the workspace (and only that one); a fork shares it, so it stays until the fork closes too
  const fork = await g.api('POST', `/api/v1/sessions/${r.body.id}/fork`, {});
  assert.equal(fork.status, 201, JSON.stringify(fork.body));
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${r.body.id}`)).status, 204);
  assert.ok(existsSync(ws), 'the fork still works in the clone');
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${fork.body.id}`)).status, 204);
  assert.ok(!existsSync(ws), 'the clone is removed once no open session uses it');
  assert.ok(existsSync(dws), 'the other clone stays');

  // POST /stream with repo: the stream tells the clone before the turn
  const s = await fetch(`${g.url}/api/v1/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${'test-token-0123456789abcdef'}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agent: 'demo', repo: 'acme/tool', ...says('hi') }),
  });
  assert.equal(s.status, 200);
  const text = await s.text();
  assert.match(text, /repo_cloned/);
  assert.ok(text.includes(repo.heads.main));

  // MCP create tool
  const mcp = await connectSdkClient(g);
  t.after(() => mcp.close());
  const m = await mcp.client.callTool({ name: 'acp_create_session', arguments: { agent: 'demo', repo: 'acme/tool', branch: 'develop' } });
  assert.equal(m.isError, undefined, textOf(m));
  assert.equal((m.structuredContent as any).repo.head, repo.heads.develop);
});

test('clone: bad names are 400 before git runs, file:// is off by default, nothing is made', async (t) => {
  const repo = makeBareRepo();
  t.after(() => repo.remove());
  const g = await startTestGateway({ git: { base_url: repo.baseUrl } });
  t.after(() => g.dispose());
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ repo: '-uhack' }, /may not start with '-'/],
    [{ repo: '--upload-pack=touch /tmp/x' }, /may not start with '-'/],
    [{ repo: 'acme/../etc' }, /'\.\.'/],
    [{ repo: 'https://example.com/a b.git' }, /whitespace/],
    [{ repo: 'acme/tool\u0001' }, /control/],
    [{ repo: 'acme/tool', branch: '-b' }, /may not start with '-'/],
    [{ repo: 'acme/tool', branch: 'a..b' }, /'\.\.'/],
    [{ repo: 'acme/tool', branch: 'a b' }, /whitespace/],
    [{ repo: 'acme/tool', branch: 'a\nb' }, /whitespace/],
    [{ repo: 'ext::sh -c touch% /tmp/pwned' }, /whitespace|scheme/],
    [{ repo: 'https://user:pw@example.com/a.git' }, /credentials/],
    [{ repo: repo.url }, /file:\/\/ URLs are disabled/],
    [{ branch: 'main' }, /'branch' needs a 'repo'/],
  ];
  for (const [body, message] of cases) {
    for (const path of ['/api/v1/sessions', '/api/v1/stream']) {
      const r = await g.api('POST', path, { agent: 'demo', ...body, ...(path.endsWith('stream') ? says('hi') : {}) });
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error.message, message, JSON.stringify(body));
    }
  }
  const dir = g.gw.config.workspaces.dir;
  assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], [], 'nothing was made in workspaces.dir');
  assert.deepEqual((await g.api('GET', '/api/v1/sessions')).body, []);
});

test('clone: a checkout over git.max_clone_bytes is 413 repo_too_large, a failing git 502 clone_failed; nothing left', async (t) => {
  const repo = makeBareRepo({ 'README.md': '# big\n', 'blob.bin': randomBytes(300 * 1024).toString('base64') });
  t.after(() => repo.remove());
  const g = await startTestGateway({ git: { base_url: repo.baseUrl, allow_file_urls: true, max_clone_bytes: '100KiB' } });
  t.after(() => g.dispose());
  const big = await g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: 'acme/tool' });
  assert.equal(big.status, 413, JSON.stringify(big.body));
  assert.equal(big.body.error.code, 'repo_too_large');

  writeFileSync(join(repo.root, 'not-a-repo'), 'x');
  const bad = await g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: 'acme/missing' });
  assert.equal(bad.status, 502, JSON.stringify(bad.body));
  assert.equal(bad.body.error.code, 'clone_failed');
  assert.match(bad.body.error.details.stderr_tail, /does not exist|not appear to be a git repository/);
  const nobranch = await g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: 'acme/tool', branch: 'nope' });
  assert.equal(nobranch.status, 502);
  assert.match(nobranch.body.error.details.stderr_tail, /nope/);

  await eventually(() => readdirSync(g.gw.config.workspaces.dir).length === 0, 5000, 'workspaces.dir empty');
  assert.deepEqual((await g.api('GET', '/api/v1/sessions')).body, []);
});
