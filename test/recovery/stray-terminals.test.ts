// Terminals outlive a gateway that is killed (they run in their own process groups); the restarted gateway finds
// them in the log (TerminalStarted: pid, group, start time) and stops their groups, counted in the boot report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoServerConfig, callServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

import { DEFAULT_COMMAND_PATH, findExecutableSync } from '../../src/workspace/executable.js';
import { eventually } from '../helpers/poll.js';

const TOKEN = 'stray-terminals-token-0123456789';
const H = { authorization: `Bearer ${TOKEN}` };

const api = (s: ServerProcess, method: string, path: string, body?: unknown) => callServer(s, TOKEN, method, path, body);

/** Live (not zombie) members of a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

test('kill -9 while a terminal runs: the restarted gateway stops its whole process group and records it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-strayterm-'));
  const config = demoServerConfig(dir, { token: TOKEN });
  let server: ServerProcess | undefined;
  let pgid = 0;
  t.after(() => {
    server?.child.kill('SIGKILL');
    if (pgid) {
      try {
        process.kill(-pgid, 'SIGKILL'); // never leave the test's sleeps behind, whatever failed
      } catch {
        /* gone, as it should be */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  server = await startServerProcess(['--config', config], {});
  const id: string = (await api(server, 'POST', '/api/v1/sessions', { agent: 'demo' })).body.id;
  // `timeout` keeps `sleep` as its child in the same group: the group, not just its leader, has to go
  const turn = fetch(`${server.url}/api/v1/sessions/${id}/prompt`, { method: 'POST', headers: H, body: JSON.stringify({ messages: [{ type: 'text', text: '/run timeout 1000 sleep 1000' }] }) }).catch(() => undefined);
  const started = await eventually(async () => (await api(server!, 'GET', `/api/v1/sessions/${id}/events?type=TerminalStarted`)).body.events[0], 10_000, 'TerminalStarted');
  pgid = started.data.pgid;
  assert.equal(started.data.pid, pgid, 'the terminal leads its own process group');
  assert.match(started.data.start_time, /^\d+$/, 'the start time from /proc/<pid>/stat guards against a reused pid');
  // the program recorded is the one that ran: found on the fixed command path (permissions.command_path)
  assert.deepEqual([started.data.command, started.data.args], [findExecutableSync('timeout', '/', DEFAULT_COMMAND_PATH)!.path, ['1000', 'sleep', '1000']]);
  await eventually(() => groupMembers(pgid).length >= 2, 10_000, 'timeout and its sleep running');

  server.child.kill('SIGKILL');
  await server.exited;
  await turn;
  assert.ok(groupMembers(pgid).length >= 2, 'the terminal outlived the gateway');

  server = await startServerProcess(['--config', config], {});
  assert.deepEqual(groupMembers(pgid), [], 'the restarted gateway stopped the whole group');
  assert.match(server.stderr(), /"stray_terminals_stopped":1/);
  const released = (await api(server, 'GET', `/api/v1/sessions/${id}/events?type=TerminalReleased`)).body.events;
  assert.deepEqual(released.map((e: { data: unknown }) => e.data), [{ terminal_id: started.data.terminal_id, gone: true, at_boot: 'stopped' }]);

  // the next boot has nothing left to stop (and does not look at that terminal again)
  assert.equal(await server.stop('SIGTERM'), 0);
  server = await startServerProcess(['--config', config], {});
  assert.match(server.stderr(), /"stray_terminals_stopped":0/);
  assert.equal((await api(server, 'GET', `/api/v1/sessions/${id}/events?type=TerminalReleased`)).body.events.length, 1);
  assert.equal(await server.stop('SIGTERM'), 0);
});
