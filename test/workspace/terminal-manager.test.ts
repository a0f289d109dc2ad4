import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TerminalManager, toJsonRpcError } from '../../src/workspace/terminal-manager.js';
import { TerminalError, WorkspaceAccessError } from '../../src/workspace/errors.js';
import { isAlive, makeSandbox, type Sandbox } from './helpers.js';
import { GIT_HARDENING } from '../../src/workspace/git-hardening.js';
import { eventually, within } from '../helpers/poll.js';

const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const NODE = process.execPath;

function rejectsTerminal(promise: Promise<unknown>, code: string): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof TerminalError, `expected TerminalError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

function throwsTerminal(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof TerminalError && e.code === code);
}

describe('TerminalManager', () => {
  let sb: Sandbox;
  let tm: TerminalManager;
  const managers: TerminalManager[] = [];
  const make = (extra: Partial<ConstructorParameters<typeof TerminalManager>[0]> = {}): TerminalManager => {
    const m = new TerminalManager({ workspaceRoot: sb.root, baseEnv, defaultOutputByteLimit: 64 * 1024, ...extra });
    managers.push(m);
    return m;
  };
  beforeEach(() => {
    sb = makeSandbox();
    tm = make();
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.releaseAll()));
    sb.cleanup();
  });

  it('runs a command with args and reports output and exit code', async () => {
    const { terminalId } = await tm.create({ command: 'echo', args: ['hello', 'world'] });
    assert.deepEqual(await within(tm.waitForExit(terminalId), 5000, 'exit'), { exitCode: 0, signal: null });
    assert.deepEqual(tm.output(terminalId), { output: 'hello world\n', truncated: false, exitStatus: { exitCode: 0, signal: null } });
  });

  it('merges stdout and stderr and reports a non-zero exit code', async () => {
    const { terminalId } = await tm.create({ command: 'sh', args: ['-c', 'printf "out\\n"; printf "err\\n" >&2; exit 3'] });
    assert.deepEqual(await within(tm.waitForExit(terminalId), 5000, 'exit'), { exitCode: 3, signal: null });
    const { output, exitStatus } = tm.output(terminalId);
    assert.ok(output.includes('out\n') && output.includes('err\n'), output);
    assert.deepEqual(exitStatus, { exitCode: 3, signal: null });
  });

  it('has no exitStatus while running', async () => {
    const { terminalId } = await tm.create({ command: 'sleep', args: ['30'] });
    assert.equal(tm.output(terminalId).exitStatus, undefined);
    assert.ok(isAlive(tm.pid(terminalId)));
  });

  it('bounds 100 KB of multi-byte output to outputByteLimit, cut on a character boundary', async () => {
    const script = "process.stdout.write('é€😀'.repeat(12000))"; // 108,000 bytes
    const { terminalId } = await tm.create({ command: NODE, args: ['-e', script], outputByteLimit: 1000 });
    await within(tm.waitForExit(terminalId), 10000, 'exit');
    const { output, truncated } = tm.output(terminalId);
    const bytes = Buffer.byteLength(output);
    assert.equal(truncated, true);
    assert.ok(bytes <= 1000 && bytes >= 997, `${bytes} bytes`);
    assert.ok(!output.includes('\uFFFD'), 'starts (and ends) on whole characters');
    assert.ok('é€😀'.repeat(12000).endsWith(output));
  });

  it('clamps a requested outputByteLimit to the host ceiling', async () => {
    const m = make({ maxOutputByteLimit: 10 });
    const { terminalId } = await m.create({ command: 'printf', args: ['0123456789abcdef'], outputByteLimit: 1_000_000 });
    await within(m.waitForExit(terminalId), 5000, 'exit');
    assert.deepEqual(m.output(terminalId), { output: '6789abcdef', truncated: true, exitStatus: { exitCode: 0, signal: null } });
  });

  it('kill() ends a sleep with SIGTERM and the terminal stays valid', async () => {
    const { terminalId } = await tm.create({ command: 'sleep', args: ['30'] });
    tm.kill(terminalId);
    assert.deepEqual(await within(tm.waitForExit(terminalId), 2000, 'exit after SIGTERM'), { exitCode: null, signal: 'SIGTERM' });
    assert.deepEqual(tm.output(terminalId).exitStatus, { exitCode: null, signal: 'SIGTERM' });
    tm.kill(terminalId); // killing an exited terminal is harmless
  });

  it('SIGKILLs a process that ignores SIGTERM after the grace period', async () => {
    const { terminalId } = await tm.create({ command: 'sh', args: ['-c', 'trap "" TERM; echo ready; sleep 30'] });
    await eventually(() => tm.output(terminalId).output.includes('ready'), 5000, 'trap installed');
    tm.kill(terminalId);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(tm.output(terminalId).exitStatus, undefined, 'SIGTERM is ignored, so it is still running');
    const status = await within(tm.waitForExit(terminalId), 4000, 'exit after SIGKILL');
    assert.deepEqual(status, { exitCode: null, signal: 'SIGKILL' });
  });

  it('kill() reaches grandchildren (the whole process group)', async () => {
    const { terminalId } = await tm.create({ command: 'sh', args: ['-c', 'sleep 30 & echo $!; wait'] });
    await eventually(() => /^\d+\n/.test(tm.output(terminalId).output), 5000, 'grandchild pid');
    const grandchild = Number(tm.output(terminalId).output.trim());
    assert.ok(isAlive(grandchild));
    tm.kill(terminalId);
    await within(tm.waitForExit(terminalId), 3000, 'exit');
    await eventually(() => !isAlive(grandchild), 3000, 'grandchild gone');
  });

  it('release kills, frees, and is idempotent; the id is then unknown', async () => {
    const { terminalId } = await tm.create({ command: 'sleep', args: ['30'] });
    const pid = tm.pid(terminalId);
    await within(tm.release(terminalId), 4000, 'release');
    assert.equal(isAlive(pid), false);
    assert.equal(tm.size, 0);
    await tm.release(terminalId);
    await tm.release('never-existed');
    throwsTerminal(() => tm.output(terminalId), 'unknown_terminal');
  });

  it('unknown ids: output, waitForExit and kill throw unknown_terminal (-32002)', () => {
    throwsTerminal(() => tm.output('nope'), 'unknown_terminal');
    throwsTerminal(() => tm.waitForExit('nope'), 'unknown_terminal');
    throwsTerminal(() => tm.kill('nope'), 'unknown_terminal');
    try {
      tm.output('nope');
    } catch (e) {
      assert.deepEqual(toJsonRpcError(e), {
        code: -32002,
        message: 'unknown or released terminal: nope',
        data: { reason: 'unknown_terminal', terminalId: 'nope' },
      });
    }
  });

  it('runs in the workspace by default, in a subdirectory on request, and refuses a cwd outside', async () => {
    fs.mkdirSync(path.join(sb.root, 'sub'));
    const pwd = async (cwd?: string): Promise<string> => {
      const { terminalId } = await tm.create({ command: 'pwd', cwd });
      await within(tm.waitForExit(terminalId), 5000, 'exit');
      return tm.output(terminalId).output.trim();
    };
    assert.equal(await pwd(), sb.root);
    assert.equal(await pwd(path.join(sb.root, 'sub')), path.join(sb.root, 'sub'));
    fs.symlinkSync(sb.outsideDir, path.join(sb.root, 'linkdir'));
    for (const cwd of [sb.base, '/tmp', '..', 'linkdir', sb.evil]) {
      await assert.rejects(tm.create({ command: 'pwd', cwd }), (e: unknown) => {
        assert.ok(e instanceof WorkspaceAccessError && e.code === 'outside_workspace', `${cwd}: ${String(e)}`);
        assert.equal(toJsonRpcError(e).code, -32602);
        return true;
      });
    }
    assert.equal(tm.size, 2);
  });

  it('fails create clearly for a missing command, and never parses a command through a shell', async () => {
    await assert.rejects(tm.create({ command: 'definitely-not-a-command-xyz' }), (e: unknown) => {
      assert.ok(e instanceof TerminalError && e.code === 'spawn_failed');
      assert.match(e.message, /definitely-not-a-command-xyz.*command not found/);
      assert.equal(toJsonRpcError(e).code, -32603);
      return true;
    });
    const marker = path.join(sb.root, 'marker');
    await rejectsTerminal(tm.create({ command: `touch ${marker}` }), 'spawn_failed');
    assert.equal(fs.existsSync(marker), false);
    assert.equal(tm.size, 0);
  });

  it('uses the configured shell only when args are absent', async () => {
    const m = make({ shell: '/bin/sh' });
    const a = await m.create({ command: 'echo one && echo two' });
    await within(m.waitForExit(a.terminalId), 5000, 'exit');
    assert.equal(m.output(a.terminalId).output, 'one\ntwo\n');
    const b = await m.create({ command: 'echo', args: ['$HOME', '&&', 'x'] });
    await within(m.waitForExit(b.terminalId), 5000, 'exit');
    assert.equal(m.output(b.terminalId).output, '$HOME && x\n');
  });

  it('builds env from baseEnv plus requested entries, refusing code-injecting variables', async () => {
    process.env.AINTEGRIX_TEST_GATEWAY_SECRET = 'leak';
    try {
      const { terminalId } = await tm.create({ command: 'env', env: [{ name: 'FOO', value: 'bar' }] });
      await within(tm.waitForExit(terminalId), 5000, 'exit');
      const lines = tm.output(terminalId).output.trim().split('\n').sort();
      const git = GIT_HARDENING.flatMap(([key, value], i) => [`GIT_CONFIG_KEY_${i}=${key}`, `GIT_CONFIG_VALUE_${i}=${value}`]);
      assert.deepEqual(lines, [`FOO=bar`, `GIT_CONFIG_COUNT=${GIT_HARDENING.length}`, ...git, `PATH=${baseEnv.PATH}`].sort());
    } finally {
      delete process.env.AINTEGRIX_TEST_GATEWAY_SECRET;
    }
    const programs = ['EDITOR', 'PAGER', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_DIR', 'GIT_SSH_COMMAND', 'git_pager'];
    for (const name of ['LD_PRELOAD', 'ld_preload', 'NODE_OPTIONS', 'BASH_ENV', 'DYLD_INSERT_LIBRARIES', 'BASH_FUNC_ls%%', 'A=B', ...programs]) {
      await rejectsTerminal(tm.create({ command: 'env', env: [{ name, value: 'x' }] }), 'invalid_params');
    }
  });

  it('rejects malformed params and enforces maxTerminals', async () => {
    await rejectsTerminal(tm.create({ command: '' }), 'invalid_params');
    await rejectsTerminal(tm.create({ command: 'echo', args: ['a\0b'] }), 'invalid_params');
    await rejectsTerminal(tm.create({ command: 'echo', outputByteLimit: -1 }), 'invalid_params');
    const m = make({ maxTerminals: 1 });
    const first = await m.create({ command: 'sleep', args: ['30'] });
    await rejectsTerminal(m.create({ command: 'true' }), 'too_many_terminals');
    await m.release(first.terminalId);
    await m.create({ command: 'true' });
  });

  it('releaseAll leaves no process running, including SIGTERM-ignoring ones and grandchildren', async () => {
    const pids: number[] = [];
    for (const args of [['-c', 'sleep 30'], ['-c', 'trap "" TERM; echo ready; sleep 30'], ['-c', 'sleep 30 & echo $!; wait']]) {
      const { terminalId } = await tm.create({ command: 'sh', args });
      pids.push(tm.pid(terminalId));
      if (args[1]!.includes('echo')) {
        await eventually(() => tm.output(terminalId).output.length > 0, 5000, 'output');
        const first = tm.output(terminalId).output.trim();
        if (/^\d+$/.test(first)) pids.push(Number(first));
      }
    }
    assert.equal(pids.length, 4);
    assert.ok(pids.every(isAlive));
    await within(tm.releaseAll(), 5000, 'releaseAll');
    assert.deepEqual(pids.filter(isAlive), []);
    assert.equal(tm.size, 0);
  });

  it('close() refuses new terminals', async () => {
    await tm.create({ command: 'sleep', args: ['30'] });
    await tm.close();
    assert.equal(tm.size, 0);
    await rejectsTerminal(tm.create({ command: 'true' }), 'manager_closed');
  });
});
