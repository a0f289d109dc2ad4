// auto_route: routing.rules in order, the first whose keywords (whole words, case-insensitive), file patterns (globs
// on the cloned workspace's files and the request's file_paths) or task_type match chooses the agent; else the
// fallback; else 400 no_route. The answer and the log (SessionRouted) say which rule and what matched, on REST,
// POST /stream and the MCP create tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { says, startTestGateway, TOKEN } from '../helpers/gateway.js';
import { connectSdkClient, textOf } from '../mcp/helpers.js';
import { makeBareRepo } from './fixtures.js';
import { routeAgent } from '../../src/routing/route-agent.js';

const rules = [
  { match: { keywords: ['frontend', 'react', 'fix'] }, agent: 'web' },
  { match: { file_patterns: ['*.rs', 'Cargo.toml'] }, agent: 'rust' },
  { match: { task_type: 'refactor' }, agent: 'tidy' },
];
const agents = { web: {}, rust: {}, tidy: {}, general: {} };

test('routing: keyword, file pattern after the clone, task type, fallback; the answer and the log say why', async (t) => {
  const repo = makeBareRepo({ 'Cargo.toml': '[package]\n', 'src/main.rs': 'fn main() {}\n' });
  t.after(() => repo.remove());
  const g = await startTestGateway({ agents, routing: { rules, fallback: 'general' }, git: { base_url: repo.baseUrl, allow_file_urls: true } });
  t.after(() => g.dispose());

  const kw = await g.api('POST', '/api/v1/sessions', { auto_route: true, prompt: 'Please FIX the React component' });
  assert.equal(kw.status, 201, JSON.stringify(kw.body));
  assert.equal(kw.body.agent, 'web');
  assert.deepEqual(kw.body.routed, { rule: 0, matched: { keywords: ['react', 'fix'] } });
  const logged = await g.api('GET', `/api/v1/sessions/${kw.body.id}/events?type=SessionRouted`);
  assert.deepEqual(logged.body.events[0].data, { agent: 'web', ...kw.body.routed });

  // "prefix" is not "fix": a keyword is a whole word; the repo's files choose the rust rule
  const file = await g.api('POST', '/api/v1/sessions', { auto_route: true, prompt: 'add a prefix option', repo: 'acme/tool' });
  assert.equal(file.status, 201, JSON.stringify(file.body));
  assert.equal(file.body.agent, 'rust');
  assert.deepEqual(file.body.routed, { rule: 1, matched: { file_patterns: [{ pattern: '*.rs', file: 'src/main.rs' }, { pattern: 'Cargo.toml', file: 'Cargo.toml' }] } });
  assert.equal(file.body.repo.head, repo.heads.main);

  const task = await g.api('POST', '/api/v1/sessions', { auto_route: true, prompt: 'tidy up', task_type: 'refactor' });
  assert.equal(task.body.agent, 'tidy');
  assert.deepEqual(task.body.routed, { rule: 2, matched: { task_type: 'refactor' } });

  const paths = await g.api('POST', '/api/v1/sessions', { auto_route: true, prompt: 'look at this', file_paths: ['lib/x.rs'] });
  assert.equal(paths.body.agent, 'rust');

  const fb = await g.api('POST', '/api/v1/sessions', { auto_route: true, prompt: 'write the prefix docs' });
  assert.equal(fb.body.agent, 'general');
  assert.deepEqual(fb.body.routed, { rule: 'fallback', matched: {} });

  // POST /stream routes on the prompt's text and says so before the turn
  const s = await fetch(`${g.url}/api/v1/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ auto_route: true, ...says('a frontend bug') }),
  });
  assert.equal(s.status, 200);
  const text = await s.text();
  assert.match(text, /session_routed/);
  assert.match(text, /"agent":"web"/);

  // the MCP create tool
  const mcp = await connectSdkClient(g);
  t.after(() => mcp.close());
  const m = await mcp.client.callTool({ name: 'acp_create_session', arguments: { auto_route: true, prompt: 'refactor', task_type: 'refactor' } });
  assert.equal(m.isError, undefined, textOf(m));
  assert.match(textOf(m), /agent: tidy.*routed by rule 2/);
});

test('routing: no rule and no fallback is 400 no_route; a clone made for it is removed', async (t) => {
  const repo = makeBareRepo({ 'README.md': 'x\n' });
  t.after(() => repo.remove());
  const g = await startTestGateway({ agents, routing: { rules }, git: { base_url: repo.baseUrl, allow_file_urls: true } });
  t.after(() => g.dispose());
  const r = await g.api('POST', '/api/v1/sessions', { auto_route: true, prompt: 'add a prefix', repo: 'acme/tool' });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'no_route');
  assert.deepEqual(readdirSync(g.gw.config.workspaces.dir), [], 'the clone was removed');
  const both = await g.api('POST', '/api/v1/sessions', { auto_route: true, agent: 'web', prompt: 'x' });
  assert.equal(both.status, 400);
  const noPrompt = await g.api('POST', '/api/v1/sessions', { auto_route: true });
  assert.equal(noPrompt.status, 400);
  assert.deepEqual((await g.api('GET', '/api/v1/sessions')).body, []);
});

test('routing: keywords are whole words, phrases too; case-insensitive', () => {
  const routing = { rules: [{ match: { keywords: ['fix', 'pull request', 'c++'] }, agent: 'a' }], fallback: undefined };
  const route = (prompt: string) => routeAgent(routing, { prompt, files: [] });
  assert.equal(route('Fix it').agent, 'a');
  assert.equal(route('open a Pull  Request').agent, 'a');
  assert.equal(route('open a pull request now').agent, 'a');
  assert.equal(route('port it to C++').agent, 'a');
  for (const prompt of ['prefix', 'fixing', 'suffixes', 'the fixture']) {
    assert.throws(() => route(prompt), /no routing rule matched/, prompt);
  }
});
