// /read, /write, /read-raw (fs/*) and /run, /run-kill (terminal/*) against client handlers backed by a temp
// dir and real processes; and the answers when the client did not advertise those capabilities.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsHost } from './fs-host.js';
import { messageText, ofKind, spawnAgent } from './harness.js';
import type { AgentUnderTest } from './harness.js';
import { TerminalHost } from './terminal-host.js';

describe('demo agent: fs and terminal through the client', () => {
  let agent: AgentUnderTest;
  let cwd: string;
  let sessionId: string;
  let fs: FsHost;
  const terminals = new TerminalHost();

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'demo-agent-tools-'));
    fs = new FsHost(cwd);
    agent = spawnAgent({ fs, terminals });
    await agent.initialize({ fs: { readTextFile: true, writeTextFile: true }, terminal: true });
    sessionId = (await agent.newSession(cwd)).sessionId;
  });

  after(async () => {
    terminals.releaseAll();
    await agent.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const answerTo = async (prompt: string): Promise<string> => {
    agent.reset();
    const res = await agent.prompt(sessionId, prompt);
    assert.equal(res.stopReason, 'end_turn');
    return messageText(agent.updatesOf(sessionId));
  };

  it('/write sends an absolute path and the content (spacing kept); the client writes the file', async () => {
    const text = await answerTo('/write notes/a.txt hello  world');
    const path = join(cwd, 'notes/a.txt');
    assert.equal(text, `wrote 12 chars to ${path}`);
    assert.equal(readFileSync(path, 'utf8'), 'hello  world');
    assert.deepEqual(fs.calls.at(-1), { method: 'fs/write_text_file', path });
    const [call] = ofKind(agent.updatesOf(sessionId), 'tool_call');
    assert.equal(call?.kind, 'edit');
    assert.equal(ofKind(agent.updatesOf(sessionId), 'tool_call_update')[0]?.status, 'completed');
  });

  it('/read returns the content; LINE and LIMIT are passed on', async () => {
    assert.equal(await answerTo('/read notes/a.txt'), `read ${join(cwd, 'notes/a.txt')}:\nhello  world`);
    writeFileSync(join(cwd, 'lines.txt'), 'one\ntwo\nthree\nfour\n');
    assert.equal(await answerTo(`/read ${join(cwd, 'lines.txt')} 2 2`), `read ${join(cwd, 'lines.txt')}:\ntwo\nthree`);
  });

  it('/read of a missing file reports the JSON-RPC error code and message', async () => {
    const path = join(cwd, 'missing.txt');
    assert.equal(await answerTo('/read missing.txt'), `read ${path} failed: -32002 Resource not found: ${path}`);
    assert.equal(ofKind(agent.updatesOf(sessionId), 'tool_call_update')[0]?.status, 'failed');
  });

  it('/read-raw sends a relative ".." path unchanged (for confinement tests)', async () => {
    const text = await answerTo('/read-raw ../outside.txt');
    assert.deepEqual(fs.calls.at(-1), { method: 'fs/read_text_file', path: '../outside.txt' });
    assert.equal(text, 'read ../outside.txt failed: -32602 Invalid params: path must be absolute');
  });

  it('/run: terminal/create in the session cwd, wait_for_exit, output, release; tool call embeds the terminal', async () => {
    terminals.calls.length = 0;
    const text = await answerTo(`/run ${process.execPath} -p 6*7`);
    assert.equal(text, 'run: exitCode=0 signal=null truncated=false\n42\n');
    assert.deepEqual(terminals.calls, ['terminal/create', 'terminal/wait_for_exit', 'terminal/output', 'terminal/release']);
    const created = terminals.created.at(-1)!;
    assert.equal(created.command, process.execPath);
    assert.deepEqual(created.args, ['-p', '6*7']);
    assert.equal(created.cwd, cwd);
    const [call] = ofKind(agent.updatesOf(sessionId), 'tool_call');
    assert.equal(call?.kind, 'execute');
    assert.deepEqual(call?.content, [{ type: 'terminal', terminalId: 'term-1' }]);
    assert.equal(ofKind(agent.updatesOf(sessionId), 'tool_call_update')[0]?.status, 'completed');
  });

  it('/run reports a non-zero exit code and passes --limit as outputByteLimit', async () => {
    assert.equal(await answerTo(`/run ${process.execPath} -e process.exitCode=3`), 'run: exitCode=3 signal=null truncated=false\n');
    assert.equal(ofKind(agent.updatesOf(sessionId), 'tool_call_update')[0]?.status, 'failed');
    const text = await answerTo(`/run --limit=4 ${process.execPath} -p 1234567*9`);
    assert.equal(terminals.created.at(-1)!.outputByteLimit, 4);
    assert.equal(text, 'run: exitCode=0 signal=null truncated=true\n103\n');
  });

  it('/run-kill: create, kill, output, wait_for_exit, release', async () => {
    terminals.calls.length = 0;
    const text = await answerTo(`/run-kill ${process.execPath} -e setInterval(()=>{},1000)`);
    assert.deepEqual(terminals.calls, ['terminal/create', 'terminal/kill', 'terminal/output', 'terminal/wait_for_exit', 'terminal/release']);
    assert.equal(text, 'run-kill: exitCode=null signal=SIGTERM truncated=false\n');
  });

  it('/run reports a JSON-RPC error of terminal/create', async () => {
    const text = await answerTo('/run /nonexistent/command');
    assert.equal(text, 'run failed: -32602 Invalid params: command not found');
    assert.deepEqual(ofKind(agent.updatesOf(sessionId), 'tool_call'), []);
  });
});

describe('demo agent: fs and terminal commands without client capabilities', () => {
  it('says the client does not support them, without calling the client', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'demo-agent-nocaps-'));
    const agent = spawnAgent();
    try {
      await agent.initialize({});
      const { sessionId } = await agent.newSession(cwd);
      const cases: Array<[string, string]> = [
        ['/read a.txt', 'read: the client does not support fs/read_text_file'],
        ['/write a.txt x', 'write: the client does not support fs/write_text_file'],
        ['/run ls', 'run: the client does not support terminal/*'],
        ['/run-kill ls', 'run-kill: the client does not support terminal/*'],
      ];
      for (const [prompt, expected] of cases) {
        agent.reset();
        await agent.prompt(sessionId, prompt);
        assert.equal(messageText(agent.updatesOf(sessionId)), expected);
      }
    } finally {
      await agent.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
