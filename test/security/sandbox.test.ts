// Agents with `sandbox: bwrap` and the terminals they ask for cannot reach the gateway's secrets. Tried against a
// real `aintegrix serve` (AINTEGRIX_API_KEY in its environment, a token file and the database in its data dir, the
// whole test folder bound read-only into the sandbox so that hiding is what protects them): the demo agent reads,
// through /run terminals, through the client's fs (/read) and in its own process (/local-read), the gateway's
// /proc/<pid>/environ, the database, the api-token file, the config file and another session's workspace; all fail,
// while a prompt, a write and a command in its own workspace work. An unsandboxed agent of the same gateway reads the
// environment (what the sandbox prevents). A sandbox whose tool is missing refuses the session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { startServerProcess } from '../helpers/server-process.js';
import { DEMO_AGENT_ENTRY } from '../helpers/paths.js';
import { TOKEN, says, startTestGateway } from '../helpers/gateway.js';
import { findExecutable } from '../../src/sandbox/bind-roots.js';
import { bwrapArgs } from '../../src/sandbox/bwrap-args.js';
import { loadConfigText } from '../../src/config/index.js';

const ENV_KEY = 'env-api-key-that-must-not-leak-0123';

test('bubblewrap is installed (make test installs it: scripts/ensure-system-packages.sh)', async () => {
  assert.ok(await findExecutable('bwrap', process.env.PATH), 'bwrap not found: the sandbox tests cannot run without bubblewrap');
});

test('a sandboxed agent and its terminals reach neither the data dir, the token, the config, /proc/<gateway>/environ nor another workspace', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-sbx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const homes = join(dir, 'data-agent-homes');
  const demo = (extra: Record<string, unknown>) => ({ command: process.execPath, args: [DEMO_AGENT_ENTRY], ...extra });
  const config = join(dir, 'aintegrix.yaml');
  writeFileSync(
    config,
    stringify({
      server: { host: '127.0.0.1', port: 0 },
      store: { data_dir: data, durability: 'fast' },
      auth: { tokens: [{ name: 'tester', token: TOKEN }] },
      permissions: { default: 'allow' },
      agents: {
        boxed: demo({ sandbox: { type: 'bwrap', read_only: [dir] }, env: { DEMO_AGENT_STORE: join(homes, 'boxed', 'sessions') } }),
        open: demo({ env: { DEMO_AGENT_STORE: join(dir, 'open-sessions') } }),
      },
    }),
  );
  const server = await startServerProcess(['--config', config], { AINTEGRIX_API_KEY: ENV_KEY });
  t.after(() => server.stop('SIGKILL'));
  writeFileSync(join(data, 'api-token'), 'a-token-file-an-agent-must-not-read\n');
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  const session = async (agent: string) => {
    const r = await api('POST', '/api/v1/sessions', { agent });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return { id: r.body.id as string, ws: (await api('GET', `/api/v1/sessions/${r.body.id}`)).body.workspace_root as string };
  };
  const prompt = async (id: string, text: string) => {
    const r = await api('POST', `/api/v1/sessions/${id}/prompt`, says(text));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.text as string;
  };

  const other = await session('boxed');
  assert.match(await prompt(other.id, '/write secret.txt OTHER-SESSION-SECRET'), /wrote/);
  const a = await session('boxed');
  const gatewayEnviron = `/proc/${server.child.pid}/environ`;
  const db = join(data, 'aintegrix.db');
  const tokenFile = join(data, 'api-token');
  const otherFile = join(other.ws, 'secret.txt');
  const secrets = /env-api-key-that-must-not-leak|a-token-file-an-agent|OTHER-SESSION-SECRET|SQLite format|test-token-0123456789abcdef/;

  for (const path of [gatewayEnviron, db, tokenFile, otherFile, config]) {
    for (const attempt of [`/run cat ${path}`, `/local-read ${path}`, `/read ${path}`]) {
      const text = await prompt(a.id, attempt);
      assert.doesNotMatch(text, secrets, `${attempt}: ${text}`);
      assert.match(text, /exitCode=1|failed/, `${attempt} fails: ${text}`);
    }
  }
  for (const attempt of [`/run ls -A ${data}`, `/run ls -A ${other.ws}`, `/run ls ${homes}`, '/run ps -e -o pid,args']) {
    const text = await prompt(a.id, attempt);
    assert.doesNotMatch(text, /aintegrix\.db|api-token|secret\.txt|\bopen-sessions\b|serve --config/, `${attempt}: ${text}`);
  }
  assert.match(await prompt(a.id, `/run cat ${config}`), /Permission denied/, 'the config file is covered');

  // its own workspace works as before
  assert.equal(await prompt(a.id, 'hello'), 'echo: hello');
  assert.match(await prompt(a.id, '/write mine.txt written'), /wrote/);
  assert.equal(await prompt(a.id, '/run cp mine.txt ran.txt'), 'run: exitCode=0 signal=null truncated=false\n');
  assert.equal(readFileSync(join(a.ws, 'ran.txt'), 'utf8'), 'written');
  assert.match(await prompt(a.id, `/local-read ${join(a.ws, 'mine.txt')}`), /written/);

  // the attack the sandbox stops: an unsandboxed agent of the same gateway reads the gateway's environment
  const open = await session('open');
  assert.match(await prompt(open.id, `/run cat ${gatewayEnviron}`), /env-api-key-that-must-not-leak/);
});

test('a configured sandbox whose tool is missing refuses the session (spawn_failed naming bwrap), never runs it unsandboxed', async (t) => {
  const g = await startTestGateway({ agents: { demo: { sandbox: 'bwrap' } }, gatewayEnv: { PATH: '/nonexistent', HOME: process.env.HOME } });
  t.after(() => g.dispose());
  const r = await g.api('POST', '/api/v1/sessions', { agent: 'demo' });
  assert.equal(r.body.error?.code, 'spawn_failed', JSON.stringify(r.body));
  assert.match(r.body.error.message, /bwrap \(bubblewrap\) is not installed.*never run unsandboxed/);
  assert.equal([...g.gw.store.iterate({ type: 'AgentProcessSpawned' })].length, 0, 'no agent process was started');
  assert.equal(existsSync(join(g.dir, 'data-agent-homes')), false);
});

test('config: sandbox is none by default, bwrap as a word or a map with read_only paths; anything else is an error', () => {
  const agent = (sandbox: string) => loadConfigText(`agents:\n  a:\n    command: x\n${sandbox}`, 'c.yaml', {}).config.agents['a']!.sandbox;
  assert.deepEqual(agent(''), { type: 'none', read_only: [] });
  assert.deepEqual(agent('    sandbox: bwrap\n'), { type: 'bwrap', read_only: [] });
  assert.deepEqual(agent('    sandbox: {type: bwrap, read_only: [/opt/tools, rel]}\n'), { type: 'bwrap', read_only: ['/opt/tools', resolve('rel')] });
  assert.throws(() => agent('    sandbox: firejail\n'), /c\.yaml:4: agents\.a\.sandbox\.type: expected one of "none", "bwrap"/);
  assert.throws(() => agent('    sandbox: {type: bwrap, writable: [/]}\n'), /agents\.a\.sandbox\.writable: unknown key/);
});

test('the bwrap plan: hidden folders are covered only where a bind shows them, after the binds; the home and the workspace come back on top', () => {
  const args = bwrapArgs(
    {
      readOnly: ['/srv/project', '/opt/x'],
      home: '/srv/project/data-agent-homes/a',
      workspace: '/srv/project/data-workspaces/s1',
      hiddenDirs: ['/srv/project/data', '/srv/project/data-workspaces', '/srv/project/data-agent-homes', '/elsewhere/data'],
      hiddenFiles: ['/srv/project/aintegrix.yaml', '/srv/project/data/audit-key', '/elsewhere/key'],
      maskedFiles: ['/etc/shadow'],
    },
    '/srv/project/data-workspaces/s1/sub',
  );
  const line = args.join(' ');
  const at = (s: string) => line.indexOf(s);
  assert.ok(line.startsWith('--die-with-parent --unshare-pid --unshare-ipc --proc /proc --dev /dev --tmpfs /tmp'));
  assert.ok(at('--ro-bind-try /srv/project /srv/project') < at('--tmpfs /srv/project/data '), 'covered after the bind');
  for (const d of ['/srv/project/data-workspaces', '/srv/project/data-agent-homes']) assert.ok(line.includes(`--tmpfs ${d} `), d);
  assert.ok(!line.includes('/elsewhere'), 'nothing mounted where no bind shows it');
  assert.ok(line.includes('--ro-bind /dev/null /srv/project/aintegrix.yaml'));
  assert.ok(!line.includes('/dev/null /srv/project/data/audit-key'), 'a file inside a covered folder needs no cover');
  assert.ok(line.includes('--ro-bind /dev/null /etc/shadow'));
  assert.ok(at('--tmpfs /srv/project/data-agent-homes') < line.lastIndexOf('--bind /srv/project/data-agent-homes/a /srv/project/data-agent-homes/a'));
  assert.ok(line.endsWith('--bind /srv/project/data-workspaces/s1 /srv/project/data-workspaces/s1 --chdir /srv/project/data-workspaces/s1/sub'));
});
