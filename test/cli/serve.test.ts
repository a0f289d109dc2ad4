// `aintegrix serve` as a process: the embedded default, the printed URL and token, health/readiness, config errors,
// and a clean exit on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServerProcess as start, type ServerProcess } from '../helpers/server-process.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'aix-serve-'));
}

test('serve on the embedded default: URL and a generated token, kept across restarts; health and readiness', async (t) => {
  const dir = tempDir();
  const started: ServerProcess[] = [];
  t.after(() => started.forEach((s) => s.child.kill('SIGKILL')));
  const startServerProcess = async (...a: Parameters<typeof start>) => {
    const s = await start(...a);
    started.push(s);
    return s;
  };
  try {
    const cfg = join(dir, 'port0.yaml');
    // the embedded default, but on a free port: same agent (the config loader's default demo entry)
    const env = { AINTEGRIX_DATA_DIR: join(dir, 'data'), AINTEGRIX_API_KEY: undefined };
    writeFileSync(cfg, 'server:\n  port: 0\n');
    // no agent in this file: readiness must be 503
    const empty = await startServerProcess(['--config', cfg], env);
    assert.equal((await fetch(`${empty.url}/health`)).status, 200);
    assert.equal((await fetch(`${empty.url}/readiness`)).status, 503);
    assert.equal(await empty.stop(), 0);

    const first = await startServerProcess([], { ...env, AINTEGRIX_PORT: String(await freePort()) });
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    // the web console's address is printed (test/ui checks what is served there)
    assert.ok(first.stdout().includes(`Web console: ${first.url}/ui `), first.stdout());
    assert.ok(first.token && first.token.length >= 20, first.stdout());
    const tokenFile = join(dir, 'data', 'api-token');
    assert.equal(readFileSync(tokenFile, 'utf8').trim(), first.token);
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.equal((await fetch(`${first.url}/health`)).status, 200);
    assert.equal((await fetch(`${first.url}/readiness`)).status, 200);
    const agents = await fetch(`${first.url}/api/v1/agents`, { headers: { authorization: `Bearer ${first.token}` } });
    assert.equal(agents.status, 200);
    assert.deepEqual(((await agents.json()) as { name: string }[]).map((a) => a.name), ["demo"]);
    assert.equal((await fetch(`${first.url}/api/v1/agents`)).status, 401);
    assert.equal(await first.stop('SIGTERM'), 0, 'SIGTERM exits 0');

    const second = await startServerProcess([], { ...env, AINTEGRIX_PORT: String(await freePort()) });
    assert.equal(second.token, first.token, 'the generated token is kept in the data folder');
    assert.equal(await second.stop('SIGINT'), 0, 'SIGINT exits 0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('AINTEGRIX_API_KEY is the token when set, and the banner names it without printing it', async () => {
  const dir = tempDir();
  try {
    const s = await start([], { AINTEGRIX_DATA_DIR: dir, AINTEGRIX_API_KEY: 'env-key-0123456789abcdef', AINTEGRIX_PORT: String(await freePort()) });
    assert.equal(s.token, undefined, 'no token printed');
    assert.doesNotMatch(s.stdout() + s.stderr(), /env-key-0123456789abcdef/, 'the key is nowhere in the output');
    assert.match(s.stdout(), /API tokens: api-key \(configured, not shown\)/);
    const r = await fetch(`${s.url}/api/v1/agents`, { headers: { authorization: 'Bearer env-key-0123456789abcdef' } });
    assert.equal(r.status, 200);
    await s.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const INVALID: [string, string, RegExp][] = [
  ['unknown key', 'server:\n  port: 8050\n  colour: blue\n', /:3: server\.colour/],
  ['wrong type', 'agents:\n  a:\n    command: x\n    max_sessions: three\n', /:4: agents\.a\.max_sessions: expected a positive integer/],
  ['missing command', 'agents:\n  a:\n    args: [x]\n', /:2: agents\.a: missing required key "command"/],
  ['duplicate agent', 'agents:\n  a:\n    command: x\n  a:\n    command: y\n', /:4: .*agents\.a|:4: .*duplicate/i],
  ['unset variable', 'agents:\n  a:\n    command: ${NOPE_NOT_SET}\n', /NOPE_NOT_SET/],
];

for (const [name, yaml, message] of INVALID) {
  test(`an invalid config exits non-zero with one clear message: ${name}`, async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, yaml);
      const r = await runCli(['serve', '--config', file], { AINTEGRIX_DATA_DIR: dir });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /bad\.yaml/);
      assert.equal(r.stdout, '', 'nothing was started');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('unknown commands and options are refused', async () => {
  const r = await runCli(['bogus'], {});
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'bogus'/);
  const o = await runCli(['serve', '--colour', 'x'], {});
  assert.equal(o.code, 2);
  assert.match(o.stderr, /unknown option '--colour'/);
});

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('refuses to start on the slow JavaScript fallback of uWebSockets.js', async () => {
  const dir = tempDir();
  try {
    const r = await runCli(['serve'], { AINTEGRIX_DATA_DIR: dir, UWS_USE_FALLBACK: '1', AINTEGRIX_PORT: String(await freePort()) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /JavaScript fallback instead of the native binary/);
    assert.doesNotMatch(r.stdout, /listening/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
