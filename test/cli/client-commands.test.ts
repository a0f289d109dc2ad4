// The client commands of `aintegrix`, run as the real built binary against a real gateway: status, agents,
// sessions, prompt (streamed; a permission answered by --approve and one decided by `approvals decide` while the
// prompt waits), events (pages and --follow), usage, orchestrate, pipeline, audit verify/export (remote), config check,
// and the exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startTestGateway, TOKEN, type TestGateway } from '../helpers/gateway.js';
import { CLI_ENTRY } from '../helpers/paths.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(g: TestGateway | { url: string }, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AINTEGRIX_URL: g.url, AINTEGRIX_TOKEN: TOKEN, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

const jsonOf = (r: Run) => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('status, agents, sessions, prompt, events, usage and audit against a running gateway', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());

  const status = jsonOf(await cli(g, ['status', '--json']));
  assert.deepEqual([status.health, status.ready, status.agents.map((a: { name: string }) => a.name)], [true, true, ['demo']]);
  assert.match((await cli(g, ['status'])).stdout, /alive, ready/);
  assert.deepEqual(jsonOf(await cli(g, ['--json', 'agents'])).map((a: { name: string; status: string }) => [a.name, a.status]), [['demo', 'idle']]);

  const created = await cli(g, ['sessions', 'new', '--agent', 'demo']);
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  assert.match(id, /^demo_[0-9a-f-]{36}$/);
  assert.ok(jsonOf(await cli(g, ['sessions', 'list', '--json'])).some((s: { id: string }) => s.id === id));
  assert.match((await cli(g, ['sessions'])).stdout, new RegExp(`${id}\\s+demo\\s+idle`));

  // the answer on stdout, the end of the turn on stderr
  const hello = await cli(g, ['prompt', id, 'hello', 'there']);
  assert.equal(hello.code, 0, hello.stderr);
  assert.equal(hello.stdout, 'echo: hello there\n');
  assert.match(hello.stderr, /turn 1 ended: end_turn \(completed\)/);

  // --approve answers the permission request; the frames as JSON lines with --json
  const approved = await cli(g, ['prompt', id, '/permission', 'execute', 'make', 'build', '--approve', 'allow_once', '--json']);
  assert.equal(approved.code, 0, approved.stderr);
  const frames = approved.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(frames.some((f) => f.kind === 'permission_request' && f.data.tool_call.title === 'make build'));
  assert.deepEqual(frames.find((f) => f.kind === 'permission_decided').data.decision, 'allow_once');
  assert.equal(frames.at(-1).kind, 'turn_complete');

  // nobody at the terminal: the prompt waits (and says so) until the approval is decided elsewhere
  const waiting = cli(g, ['prompt', id, '/permission execute rm -rf build']);
  const pending = await eventually(async () => jsonOf(await cli(g, ['approvals', '--json'])).find((a: { session_id: string }) => a.session_id === id), 20_000, 'a pending approval');
  assert.match((await cli(g, ['approvals', 'list'])).stdout, new RegExp(`${pending.approval_id}.*rm -rf build`));
  const decided = await cli(g, ['approvals', 'decide', pending.approval_id, 'reject_once', '--reason', 'not now']);
  assert.equal(decided.code, 0, decided.stderr);
  assert.match(decided.stdout, /reject_once \(option reject\) by tester/);
  const rejected = await waiting;
  assert.equal(rejected.code, 0, rejected.stderr);
  assert.match(rejected.stderr, new RegExp(`waiting for a decision on ${pending.approval_id}`));
  assert.match(rejected.stdout, /rejected|reject/);

  // events: every page from a cursor, in order; a type filter
  const events = (await cli(g, ['events', id, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => e.position), [...events.map((e) => e.position)].sort((a, b) => a - b));
  assert.equal(events.filter((e) => e.type === 'TurnEnded').length, 3);
  const after = events[5].position;
  const rest = (await cli(g, ['events', id, '--after', String(after), '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rest.map((e) => e.position), events.filter((e) => e.position > after).map((e) => e.position));
  assert.match((await cli(g, ['events', id, '--type', 'TurnEnded'])).stdout, /TurnEnded\tturn 3: completed/);

  const show = jsonOf(await cli(g, ['sessions', 'show', id, '--json']));
  assert.equal(show.turns, 3);
  assert.match((await cli(g, ['sessions', 'show', id])).stdout, /last turn\s+3: completed \(end_turn\)/);
  const usage = jsonOf(await cli(g, ['usage', '--json', '--session', id]));
  assert.equal(usage.totals.prompts, 3);
  assert.match((await cli(g, ['usage', '--group-by', 'agent'])).stdout, /demo\s+3\s+3/);

  // the audit log of the running gateway: verify (exit 0, the head) and export (NDJSON, like the REST export)
  const verify = jsonOf(await cli(g, ['audit', 'verify']));
  assert.equal(verify.ok, true);
  assert.equal(jsonOf(await cli(g, ['audit', 'verify', '--expect-head', verify.head])).ok, true);
  const exported = await cli(g, ['audit', 'export', '--stream', `session:${id}`, '--type', 'TurnEnded']);
  assert.equal(exported.code, 0, exported.stderr);
  assert.deepEqual(exported.stdout.trim().split('\n').map((l) => JSON.parse(l).data.turn), [1, 2, 3]);
  assert.equal((await cli(g, ['audit', 'verify', '--key-file', 'k'])).code, 2, 'an offline flag without --db');

  const closed = await cli(g, ['sessions', 'close', id]);
  assert.equal(closed.code, 0, closed.stderr);
  assert.equal(jsonOf(await cli(g, ['sessions', 'show', id, '--json'])).status, 'closed');
});

test('events --follow tails the log with the cursor until interrupted', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const s = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  const child = spawn(process.execPath, [CLI_ENTRY, 'events', s.body.id, '--follow', '--type', 'TurnEnded', '--json'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AINTEGRIX_URL: g.url, AINTEGRIX_TOKEN: TOKEN },
  });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  for (const text of ['one', 'two']) assert.equal((await g.api('POST', `/api/v1/sessions/${s.body.id}/prompt`, { messages: [{ type: 'text', text }] })).status, 200);
  await eventually(() => out.trim().split('\n').length === 2 && out.endsWith('\n'), 20_000, 'two TurnEnded lines');
  assert.deepEqual(out.trim().split('\n').map((l) => JSON.parse(l).data.text), ['echo: one', 'echo: two']);
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});

test('orchestrate: a parallel orchestration of two candidates, as text and as JSON', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const text = await cli(g, ['orchestrate', '--agents', 'demo,demo', '--strategy', 'parallel', 'hello']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /: parallel, completed/);
  assert.equal(text.stdout.match(/demo completed \(end_turn\)\n {4}echo: hello/g)?.length, 2, text.stdout);
  const json = jsonOf(await cli(g, ['orchestrate', '--agents', 'demo', '--json', 'again']));
  assert.deepEqual(json.results.map((r: { text: string }) => r.text), ['echo: again']);
  const unknown = await cli(g, ['orchestrate', '--agents', 'nobody', 'x']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /agent_not_found/);
});

test('pipeline: two steps in order, as text and as JSON; a bad template is a clear error with exit code 1', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const text = await cli(g, ['pipeline', '--step', 'demo', '--step', 'demo=second {{previous}}', 'hello']);
  assert.equal(text.code, 0, text.stderr);
  // each step as it finished (read from the run's stream), then the run's outcome
  const lines = text.stdout.trimEnd().split('\n');
  assert.match(lines.at(-1)!, /^pl_\S+: completed in \d+ ms, 2\/2 steps$/);
  assert.match(lines.slice(0, -1).join('\n'), /^1\. demo completed \(end_turn\) demo_\S+\n {4}echo: hello\n2\. demo completed \(end_turn\) demo_\S+\n {4}echo: second echo: hello$/);
  assert.match(text.stderr, /running 2 steps/, 'the progress line (one plain line without a terminal)');

  const json = jsonOf(await cli(g, ['--json', 'pipeline', '--step', 'demo', '--step', 'demo={{input}} / {{steps.1.text}}', 'again']));
  assert.deepEqual(json.results.map((r: { step: number; text: string }) => [r.step, r.text]), [[1, 'echo: again'], [2, 'echo: again / echo: again']]);
  assert.equal(json.status, 'completed');

  const bad = await cli(g, ['pipeline', '--step', 'demo', '--step', 'demo={{steps.2.text}}', 'x']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^aintegrix: unknown_placeholder: steps\[1\]\.prompt_template: unknown placeholder '\{\{steps\.2\.text\}\}' \(step 2 runs before step 2 has an answer\)$/m);
  const typo = await cli(g, ['--json', 'pipeline', '--step', 'demo={{previus}}', 'x']);
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /unknown_placeholder: .*'\{\{previus\}\}' \(known: \{\{input\}\}, \{\{previous\}\}, \{\{steps\.N\.text\}\}\)/);
  assert.equal((await cli(g, ['pipeline', '--step', '=x', 'y'])).code, 2, 'a step without an agent');
  assert.equal((await cli(g, ['pipeline', 'no steps'])).code, 2, '--step is required');
  const unknown = await cli(g, ['pipeline', '--step', 'nobody', 'x']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /agent_not_found/);
  // nothing was run for the refused requests
  assert.equal((await g.api('GET', '/api/v1/pipelines')).body.length, 2);
});

test('config check, and the exit codes: usage 2, unreachable 4, refused token 5, an API error 1', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const dir = mkdtempSync(join(tmpdir(), 'aix-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'server:\n  port: 0\n');
  const ok = await cli(g, ['config', 'check', good]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /good\.yaml: ok/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'server:\n  port: many\n');
  const invalid = await cli(g, ['config', 'check', bad]);
  assert.equal(invalid.code, 3);
  assert.match(invalid.stderr, /bad\.yaml:2.*port/);

  assert.equal((await cli(g, ['frobnicate'])).code, 2);
  assert.equal((await cli(g, ['sessions', 'show'])).code, 2);
  assert.equal((await cli(g, ['approvals', 'decide', 'x', 'maybe'])).code, 2);
  const noUrl = await cli(g, ['agents'], { AINTEGRIX_URL: undefined });
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /--url URL or set AINTEGRIX_URL/);
  assert.equal((await cli({ url: 'http://127.0.0.1:9' }, ['agents'])).code, 4);
  const refused = await cli(g, ['agents', '--token', 'wrong-token-0123456789']);
  assert.equal(refused.code, 5);
  assert.match(refused.stderr, /unauthorized/);
  const missing = await cli(g, ['sessions', 'show', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /session_not_found/);
  const help = await cli(g, ['help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Exit codes: 0 done/);
});

test('pipeline prints each step as it finishes: step 1 is out while step 2 (slow) still runs', async (t) => {
  const g = await startTestGateway();
  t.after(() => g.dispose());
  const child = spawn(process.execPath, [CLI_ENTRY, 'pipeline', '--step', 'demo', '--step', 'demo=/slow 120', 'hi'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AINTEGRIX_URL: g.url, AINTEGRIX_TOKEN: TOKEN },
  });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  t.after(() => child.kill('SIGKILL'));
  await eventually(() => out.includes('    echo: hi\n'), 20_000, 'step 1 printed');
  const runs = (await g.api('GET', '/api/v1/pipelines')).body as { id: string; status: string; results: { status: string }[] }[];
  assert.equal(runs[0]!.status, 'running');
  assert.ok(['pending', 'running'].includes(runs[0]!.results[1]!.status), runs[0]!.results[1]!.status);
  assert.match(out, /^1\. demo completed \(end_turn\) demo_\S+\n {4}echo: hi\n$/);
  assert.equal((await g.api('DELETE', `/api/v1/pipelines/${runs[0]!.id}`)).status, 204);
});
