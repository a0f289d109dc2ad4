// A terminal's command runs only once its process is on record: the manager hands the lifecycle a process that is
// held before exec (a waiting shell, same pid and group as the command will have), and kills it unrun when the record
// fails. Exit and release are reported too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TerminalManager } from '../../src/workspace/terminal-manager.js';
import { TerminalError } from '../../src/workspace/errors.js';
import { groupExists, processStartTime } from '../../src/workspace/process-group.js';
import type { StartingTerminal, TerminalLifecycle } from '../../src/workspace/terminal-manager.js';
import { makeSandbox } from './helpers.js';
import { DEFAULT_COMMAND_PATH, findExecutableSync } from '../../src/workspace/executable.js';

const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

test('the command runs only after started() resolved; exit and release are reported', async (t) => {
  const sb = makeSandbox();
  t.after(() => sb.cleanup());
  const marker = path.join(sb.root, 'ran.txt');
  const seen: string[] = [];
  let held: { cmdline: string; markerThere: boolean; identity: StartingTerminal } | undefined;
  const lifecycle: TerminalLifecycle = {
    async started(s) {
      held = { cmdline: fs.readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0').join(' '), markerThere: fs.existsSync(marker), identity: s };
    },
    exited: (id, status) => seen.push(`exited ${id} ${status.exitCode}`),
    released: (id, gone) => seen.push(`released ${id} ${gone}`),
  };
  const tm = new TerminalManager({ workspaceRoot: sb.root, baseEnv, defaultOutputByteLimit: 1024, lifecycle });
  const { terminalId } = await tm.create({ command: 'touch', args: ['ran.txt'] });
  assert.ok(held, 'started() was called');
  assert.equal(held.markerThere, false, 'the command had not run while its record was pending');
  // the program is the one found on the fixed command path, whatever PATH says
  const touch = findExecutableSync('touch', '/', DEFAULT_COMMAND_PATH)!.path;
  assert.ok(held.cmdline.startsWith('/bin/sh -c '), 'the process waited before exec');
  assert.ok(held.cmdline.endsWith(` aintegrix-terminal ${touch} ran.txt `), held.cmdline);
  assert.equal(held.identity.terminalId, terminalId);
  assert.equal(held.identity.pgid, held.identity.pid);
  assert.match(held.identity.startTime!, /^\d+$/);
  assert.deepEqual([held.identity.command, held.identity.args, held.identity.cwd], [touch, ['ran.txt'], sb.root]);
  assert.deepEqual(await tm.waitForExit(terminalId), { exitCode: 0, signal: null });
  assert.ok(fs.existsSync(marker), 'then it ran');
  await tm.release(terminalId);
  assert.deepEqual(seen, [`exited ${terminalId} 0`, `released ${terminalId} true`]);
});

test('a record that fails: terminal/create fails with not_recorded and the command never runs', async (t) => {
  const sb = makeSandbox();
  t.after(() => sb.cleanup());
  let pid = 0;
  const lifecycle: TerminalLifecycle = {
    async started(s) {
      pid = s.pid;
      assert.equal(processStartTime(s.pid), s.startTime);
      throw new Error('disk full');
    },
    exited: () => assert.fail('nothing ran, so nothing exits'),
    released: () => assert.fail('nothing to release'),
  };
  const tm = new TerminalManager({ workspaceRoot: sb.root, baseEnv, defaultOutputByteLimit: 1024, lifecycle });
  await assert.rejects(tm.create({ command: 'touch', args: ['ran.txt'] }), (e: unknown) => e instanceof TerminalError && e.code === 'not_recorded');
  assert.ok(pid > 0);
  assert.equal(groupExists(pid), false, 'the held process was stopped before its command could run');
  assert.equal(fs.existsSync(path.join(sb.root, 'ran.txt')), false);
  assert.equal(tm.size, 0);
});

test('a missing or non-executable command is still a spawn_failed at create (checked before the held process starts)', async (t) => {
  const sb = makeSandbox();
  t.after(() => sb.cleanup());
  fs.writeFileSync(path.join(sb.root, 'not-exec.sh'), '#!/bin/sh\n');
  const tm = new TerminalManager({ workspaceRoot: sb.root, baseEnv, defaultOutputByteLimit: 1024 });
  for (const [command, why] of [['definitely-not-a-command-xyz', /command not found/], ['./not-exec.sh', /permission denied/], ['.', /permission denied/]] as const) {
    await assert.rejects(tm.create({ command, args: [] }), (e: unknown) => e instanceof TerminalError && e.code === 'spawn_failed' && why.test(e.message), command);
  }
});
