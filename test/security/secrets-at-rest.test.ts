// What `aintegrix serve` leaves on disk is its user's alone (0600 files, 0700 folders: the data dir, the database
// and its -wal and -shm, the generated api-token, the workspaces and the agents' homes), and the API key can come
// from a file instead of the environment, so that it is in no process's /proc/<pid>/environ at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli, startServerProcess } from '../helpers/server-process.js';
import { DEMO_AGENT_ENTRY } from '../helpers/paths.js';
import { says } from '../helpers/gateway.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('serve creates its files 0600 and its folders 0700, and tightens a database an older version left 0644', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-modes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  // an older gateway's files, world-readable
  mkdirSync(data, { mode: 0o755 });
  chmodSync(data, 0o755);
  const config = join(dir, 'aintegrix.yaml');
  const agent = { command: process.execPath, args: [DEMO_AGENT_ENTRY], sandbox: 'bwrap', env: { DEMO_AGENT_STORE: join(dir, 'data-agent-homes', 'demo', 's') } };
  writeFileSync(config, stringify({ server: { port: 0 }, store: { data_dir: data }, agents: { demo: agent }, permissions: { default: 'allow' } }));
  const first = await startServerProcess(['--config', config], { AINTEGRIX_API_KEY: undefined });
  assert.equal(await first.stop(), 0);
  chmodSync(join(data, 'aintegrix.db'), 0o644);

  const server = await startServerProcess(['--config', config], { AINTEGRIX_API_KEY: undefined });
  t.after(() => server.stop('SIGKILL'));
  const headers = { authorization: `Bearer ${server.token}` };
  const created = (await (await fetch(`${server.url}/api/v1/sessions`, { method: 'POST', headers, body: '{"agent":"demo"}' })).json()) as { id: string };
  const detail = (await (await fetch(`${server.url}/api/v1/sessions/${created.id}`, { headers })).json()) as { workspace_root: string };
  const answer = await fetch(`${server.url}/api/v1/sessions/${created.id}/prompt`, { method: 'POST', headers, body: JSON.stringify(says('/write a.txt x')) });
  assert.equal(answer.status, 200);
  assert.deepEqual(
    {
      data: mode(data),
      db: mode(join(data, 'aintegrix.db')),
      wal: mode(join(data, 'aintegrix.db-wal')),
      shm: mode(join(data, 'aintegrix.db-shm')),
      token: mode(join(data, 'api-token')),
      workspaces: mode(join(dir, 'data-workspaces')),
      workspace: mode(detail.workspace_root),
      homes: mode(join(dir, 'data-agent-homes')),
      home: mode(join(dir, 'data-agent-homes', 'demo')),
    },
    { data: '700', db: '600', wal: '600', shm: '600', token: '600', workspaces: '700', workspace: '700', homes: '700', home: '700' },
  );
});

test('AINTEGRIX_API_KEY_FILE: the key is read from a file and is in no environment; a missing file or both ways at once exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-keyfile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'api-key');
  writeFileSync(keyFile, 'file-api-key-0123456789abcdef\n', { mode: 0o600 });
  const config = join(dir, 'aintegrix.yaml');
  writeFileSync(config, stringify({ server: { port: 0 }, store: { data_dir: join(dir, 'data') } }));
  const server = await startServerProcess(['--config', config], { AINTEGRIX_API_KEY: undefined, AINTEGRIX_API_KEY_FILE: keyFile });
  t.after(() => server.stop('SIGKILL'));
  const ok = await fetch(`${server.url}/api/v1/agents`, { headers: { authorization: 'Bearer file-api-key-0123456789abcdef' } });
  assert.equal(ok.status, 200);
  assert.doesNotMatch(readFileSync(`/proc/${server.child.pid}/environ`, 'latin1'), /file-api-key/);
  assert.doesNotMatch(server.stdout(), /file-api-key/);

  // auth.api_key_file says the same in the config
  const inConfig = join(dir, 'in-config.yaml');
  writeFileSync(inConfig, stringify({ server: { port: 0 }, store: { data_dir: join(dir, 'data2') }, auth: { api_key_file: keyFile } }));
  const second = await startServerProcess(['--config', inConfig], { AINTEGRIX_API_KEY: undefined });
  t.after(() => second.stop('SIGKILL'));
  assert.equal((await fetch(`${second.url}/api/v1/agents`, { headers: { authorization: 'Bearer file-api-key-0123456789abcdef' } })).status, 200);

  const both = await runCli(['serve', '--config', config], { AINTEGRIX_API_KEY: 'x', AINTEGRIX_API_KEY_FILE: keyFile });
  assert.equal(both.code, 1);
  assert.match(both.stderr, /AINTEGRIX_API_KEY: set either it or an API key file/);
  const missing = await runCli(['serve', '--config', config], { AINTEGRIX_API_KEY_FILE: join(dir, 'nope') });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /API key file .*nope: cannot be read: no such file/);
});
