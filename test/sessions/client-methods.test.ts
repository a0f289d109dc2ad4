// The client methods the agent calls: fs confined to the workspace, terminals for real (policy-gated), and an agent
// environment without the gateway's secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { says, startTestGateway, type TestGateway } from '../helpers/gateway.js';

async function sessionIn(g: TestGateway, ws: string): Promise<string> {
  const r = await g.api('POST', '/api/v1/sessions', { agent: 'demo', workspace_root: ws });
  assert.equal(r.status, 201);
  return r.body.id;
}

const prompt = async (g: TestGateway, id: string, text: string) => (await g.api('POST', `/api/v1/sessions/${id}/prompt`, says(text))).body.text as string;

test('fs: reads and writes inside the workspace work; every escape is refused with a JSON-RPC error', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'aix-fs-'));
  const ws = join(root, 'ws');
  mkdirSync(ws);
  writeFileSync(join(root, 'secret.txt'), 'top secret');
  writeFileSync(join(ws, 'lines.txt'), 'one\ntwo\nthree\nfour\n');
  symlinkSync(join(root, 'secret.txt'), join(ws, 'link-out'));
  symlinkSync(root, join(ws, 'dir-out'));
  mkdirSync(`${ws}-evil`);
  writeFileSync(join(`${ws}-evil`, 'x.txt'), 'EVIL-CONTENT');
  const g = await startTestGateway({ workspaces: { allowed_roots: [root] } });
  t.after(async () => {
    await g.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const id = await sessionIn(g, ws);

  assert.equal(await prompt(g, id, '/read lines.txt 2 2'), `read ${ws}/lines.txt:\ntwo\nthree\n`);
  assert.match(await prompt(g, id, '/write sub/dir/new.txt hello'), /wrote 5 chars/);
  assert.equal(readFileSync(join(ws, 'sub/dir/new.txt'), 'utf8'), 'hello');

  const escapes = ['/read-raw ../secret.txt', '/read-raw sub/../../secret.txt', '/read-raw /etc/hostname', '/read link-out', '/read dir-out/secret.txt', `/read-raw ${ws}-evil/x.txt`];
  for (const cmd of escapes) {
    const text = await prompt(g, id, cmd);
    assert.match(text, /failed: -32\d{3}/, `${cmd} → ${text}`);
    assert.doesNotMatch(text, /top secret|EVIL-CONTENT/);
  }
  for (const cmd of ['/write-raw ../escaped.txt x', '/write dir-out/escaped.txt x', '/write link-out x', '/write-raw /tmp/aix-escaped.txt x']) {
    const text = await prompt(g, id, cmd);
    assert.match(text, /failed: -32\d{3}/, `${cmd} → ${text}`);
  }
  assert.equal(existsSync(join(root, 'escaped.txt')), false);
  assert.equal(readFileSync(join(root, 'secret.txt'), 'utf8'), 'top secret');
  assert.equal(existsSync('/tmp/aix-escaped.txt'), false);
  // the refusals went back as JSON-RPC errors (not as file content)
  const errors = g.gw.store
    .readStream(`session:${id}`)
    .filter((e) => e.type === 'AcpMessage')
    .map((e) => (e.data as { dir: string; msg: { error?: { code: number } } }))
    .filter((m) => m.dir === 'out' && m.msg.error);
  assert.ok(errors.length >= 10);
});

test('fs rules in the policy: a deny rule on a path refuses writes there', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'aix-fsrule-'));
  const g = await startTestGateway({
    permissions: { default: 'allow', rules: [{ decision: 'deny', method: 'fs/write_text_file', path: '.env' }] },
    workspaces: { allowed_roots: [ws] },
  });
  t.after(async () => {
    await g.dispose();
    rmSync(ws, { recursive: true, force: true });
  });
  const id = await sessionIn(g, ws);
  assert.match(await prompt(g, id, '/write .env SECRET=1'), /failed: -32003/);
  assert.equal(existsSync(join(ws, '.env')), false);
  assert.match(await prompt(g, id, '/write ok.txt fine'), /wrote/);
});

test('terminals: run, output, exit code, kill; terminal/create goes through the policy', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'aix-term-'));
  const g = await startTestGateway({
    permissions: { default: 'allow', rules: [{ decision: 'deny', method: 'terminal/create', command: 'rm *' }] },
    workspaces: { allowed_roots: [ws] },
  });
  t.after(async () => {
    await g.dispose();
    rmSync(ws, { recursive: true, force: true });
  });
  const id = await sessionIn(g, ws);
  assert.equal(await prompt(g, id, '/run printf hello'), 'run: exitCode=0 signal=null truncated=false\nhello');
  assert.match(await prompt(g, id, '/run false'), /exitCode=1/);
  assert.match(await prompt(g, id, '/run pwd'), new RegExp(ws));
  const killed = await prompt(g, id, '/run-kill sleep 30');
  assert.match(killed, /signal=SIGTERM/);
  assert.match(await prompt(g, id, '/run --limit=10 seq 1 1000'), /truncated=true\n.{0,10}$/s);
  const denied = await prompt(g, id, '/run rm -rf somewhere');
  assert.match(denied, /-32003/);
  const types = g.gw.store.readStream(`session:${id}`).filter((e) => e.type === 'PermissionDecided').map((e) => (e.data as { decision: string }).decision);
  assert.ok(types.includes('reject_once'), 'the denial is recorded');
});

test('the agent and its terminals never see the gateway secrets', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'aix-env-'));
  const g = await startTestGateway({ agents: { demo: { env: { VISIBLE: 'yes', AINTEGRIX_API_KEY: 'x' } } }, workspaces: { allowed_roots: [ws] } });
  t.after(async () => {
    await g.dispose();
    rmSync(ws, { recursive: true, force: true });
  });
  const id = await sessionIn(g, ws);
  const env = await prompt(g, id, '/run env');
  assert.match(env, /VISIBLE=yes/);
  assert.doesNotMatch(env, /AINTEGRIX_/);
  assert.doesNotMatch(env, /never-leak-this-key|test-token-0123456789abcdef/);
  const pid = g.gw.sessions.liveFor(g.gw.sessions.actor(id)).connection!.pid;
  const agentEnv = readFileSync(`/proc/${pid}/environ`, 'utf8');
  assert.doesNotMatch(agentEnv, /AINTEGRIX_|never-leak-this-key/);
  assert.match(agentEnv, /VISIBLE=yes/);
});
