// kill -9 of the real server while the bundled agent writes files and starts terminals as fast as it is answered
// (`/effects`), at the first effect and at random points after it: after every crash, each file in the workspace and
// each process that ran (the file its `touch` made) has its request in the log, each process that ran has its
// TerminalStarted (pid, group, start time), and each agent process the gateway started was asked for on its stream
// (AgentProcessRequested) before it was started (AgentProcessSpawned). Without commit-first, a write could land before its lingering record, and a crash
// in that window (narrow: about a millisecond, so random kills rarely hit it) left a changed file that no request
// explains; test/sessions/effects-after-record.test.ts proves the order deterministically (a failed commit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { demoServerConfig, callServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { eventually } from '../helpers/poll.js';

const TOKEN = 'effects-crash-token-0123456789';
const H = { authorization: `Bearer ${TOKEN}` };
const ROUNDS = 8;

const api = (s: ServerProcess, method: string, path: string, body?: unknown) => callServer(s, TOKEN, method, path, body);

/**
 * The file names the log explains: `requested`, those of the agent's requests (fs writes by path, terminals by their
 * `touch` target); `started`, those of the terminal processes recorded as started (TerminalStarted).
 */
async function loggedNames(s: ServerProcess, id: string): Promise<{ requested: Set<string>; started: Set<string> }> {
  const requested = new Set<string>();
  const started = new Set<string>();
  let after = 0;
  for (;;) {
    const page = (await api(s, 'GET', `/api/v1/sessions/${id}/events?after=${after}&limit=1000`)).body;
    if (page.events.length === 0) return { requested, started };
    for (const e of page.events as { type: string; data: { dir: string; args?: string[]; msg: { method?: string; params?: { path?: string; args?: string[] } } } }[]) {
      if (e.type === 'TerminalStarted') started.add(e.data.args![0]!);
      if (e.type !== 'AcpMessage' || e.data.dir !== 'in') continue;
      if (e.data.msg.method === 'fs/write_text_file') requested.add(basename(e.data.msg.params!.path!));
      if (e.data.msg.method === 'terminal/create') requested.add(e.data.msg.params!.args![0]!);
    }
    after = page.next_after;
  }
}

/** Each agent process stream of the log, read from the file of a killed server: its event types in order. */
function processStreams(dbFile: string): string[][] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT stream_id AS s, type AS t FROM events WHERE stream_id LIKE 'agent:%' ORDER BY stream_id, stream_position`).all() as { s: string; t: string }[];
    const by = new Map<string, string[]>();
    for (const r of rows) by.set(r.s, [...(by.get(r.s) ?? []), r.t]);
    return [...by.values()];
  } finally {
    db.close();
  }
}

test(`kill -9 while the agent writes files and starts processes, ${ROUNDS} rounds: every effect in the workspace has its request in the log`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-fxcrash-'));
  const config = demoServerConfig(dir, { token: TOKEN });
  let server: ServerProcess | undefined;
  t.after(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  server = await startServerProcess(['--config', config], {});
  const created = await api(server, 'POST', '/api/v1/sessions', { agent: 'demo' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id: string = created.body.id;
  const ws: string = (await api(server, 'GET', `/api/v1/sessions/${id}`)).body.workspace_root;

  let seed = 11;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  let effectsSeen = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const prefix = `r${round}-`;
    const ours = () => readdirSync(ws).filter((f) => f.startsWith(prefix));
    const turn = fetch(`${server.url}/api/v1/sessions/${id}/prompt`, { method: 'POST', headers: H, body: JSON.stringify({ messages: [{ type: 'text', text: `/effects 100000 ${prefix}` }] }) }).catch(() => undefined);
    // every third round the kill comes right at the first effect, the others at random points after the second
    const atFirst = round % 3 === 0;
    await eventually(() => ours().length >= (atFirst ? 1 : 2), 10_000, `round ${round}: the first effects`);
    if (!atFirst) await new Promise((r) => setTimeout(r, 20 + Math.floor(random() * 300)));
    server.child.kill('SIGKILL');
    await server.exited;
    await turn;
    const onDisk = ours();
    for (const types of processStreams(join(dir, 'data', 'aintegrix.db'))) {
      const spawned = types.indexOf('AgentProcessSpawned');
      assert.equal(types[0], 'AgentProcessRequested', `round ${round}: a process stream begins with its request (${types.join(', ')})`);
      if (spawned !== -1) assert.ok(spawned > 0, `round ${round}: started after its request`);
    }
    server = await startServerProcess(['--config', config], {});

    const { requested, started } = await loggedNames(server, id);
    const unexplained = onDisk.filter((f) => !requested.has(f));
    assert.deepEqual(unexplained, [], `round ${round}: every file in the workspace has its request in the log (${onDisk.length} files)`);
    const unrecordedProcesses = onDisk.filter((f) => /t\d+\.txt$/.test(f) && !started.has(f));
    assert.deepEqual(unrecordedProcesses, [], `round ${round}: every process that ran is in the log as started (pid, start time)`);
    effectsSeen += onDisk.length;
    const s = (await api(server, 'GET', `/api/v1/sessions/${id}`)).body;
    assert.equal(s.last_turn.outcome, 'interrupted', `round ${round}: the turn was killed mid-way`);
  }
  assert.ok(effectsSeen >= ROUNDS, `the rounds did act (${effectsSeen} files)`);
  assert.equal((await api(server, 'GET', '/api/v1/audit/verify')).body.ok, true);
  assert.equal(await server.stop('SIGTERM'), 0);
});
