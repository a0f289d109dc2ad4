// Sessions across agent processes (--store): session/load replays, session/resume does not, /history proves
// continuity; fork, list, close; and what happens without a store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageText, spawnAgent } from './harness.js';
import type { AgentUnderTest } from './harness.js';
import { eventually } from '../helpers/poll.js';

describe('demo agent: sessions across processes', () => {
  let dir: string;
  let store: string;
  let cwd: string;
  let sessionId: string;
  const running: AgentUnderTest[] = [];

  const start = async (args: string[] = ['--store', store]): Promise<AgentUnderTest> => {
    const agent = spawnAgent({ args });
    running.push(agent);
    await agent.initialize();
    return agent;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-agent-sessions-'));
    store = join(dir, 'store');
    cwd = join(dir, 'work');
    const first = await start();
    sessionId = (await first.newSession(cwd)).sessionId;
    await first.prompt(sessionId, 'hello');
    await first.prompt(sessionId, '/chunks 3 2');
    await first.prompt(sessionId, 'world');
    await first.stop();
  });

  after(async () => {
    for (const agent of running) await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('session/load in a new process replays the conversation like claude-agent-acp, then continues it', async () => {
    const agent = await start();
    await agent.agent.request('session/load', { sessionId, cwd, mcpServers: [] });
    const replay = agent.updatesOf(sessionId);
    assert.deepEqual(replay, [
      { sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'hello' } },
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'echo: hello' } },
      { sessionUpdate: 'user_message_chunk', content: { type: 'text', text: '/chunks 3 2' } },
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: '000102' } },
      { sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'world' } },
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'echo: world' } },
    ]);
    agent.reset();
    await agent.prompt(sessionId, '/history');
    assert.equal(messageText(agent.updatesOf(sessionId)), '1. hello\n2. /chunks 3 2\n3. world\n4. /history');
    await agent.stop();
  });

  it('session/resume in a new process sends no replay and continues the conversation', async () => {
    const agent = await start();
    const res = await agent.agent.request('session/resume', { sessionId, cwd, mcpServers: [] });
    assert.equal(res.modes?.currentModeId, 'default');
    assert.deepEqual(agent.updates, []);
    await agent.prompt(sessionId, '/history');
    // the /history of the previous test was stored too
    assert.equal(messageText(agent.updatesOf(sessionId)), '1. hello\n2. /chunks 3 2\n3. world\n4. /history\n5. /history');
    await agent.stop();
  });

  it('load and resume of an unknown session fail with -32002', async () => {
    const agent = await start();
    await assert.rejects(agent.agent.request('session/load', { sessionId: 'nope', cwd, mcpServers: [] }), { code: -32002 });
    await assert.rejects(agent.agent.request('session/resume', { sessionId: '../../etc/passwd', cwd }), { code: -32002 });
    await agent.stop();
  });

  it('without --store, another process cannot load or resume the session', async () => {
    const agent = await start([]);
    await assert.rejects(agent.agent.request('session/load', { sessionId, cwd, mcpServers: [] }), { code: -32002 });
    await assert.rejects(agent.agent.request('session/resume', { sessionId, cwd }), { code: -32002 });
    await agent.stop();
  });

  it('DEMO_AGENT_STORE works like --store', async () => {
    const agent = spawnAgent({ env: { DEMO_AGENT_STORE: store } });
    running.push(agent);
    await agent.initialize();
    await agent.agent.request('session/resume', { sessionId, cwd });
    await agent.stop();
  });

  it('session/fork copies the history under a new id; the original is untouched', async () => {
    const agent = await start();
    await agent.agent.request('session/resume', { sessionId, cwd });
    const fork = await agent.agent.request('session/fork', { sessionId, cwd, mcpServers: [] });
    assert.notEqual(fork.sessionId, sessionId);
    assert.equal(fork.configOptions?.length, 2);
    await agent.prompt(fork.sessionId, 'only in the fork');
    agent.reset();
    await agent.prompt(fork.sessionId, '/history');
    assert.match(messageText(agent.updatesOf(fork.sessionId)), /^1\. hello\n[\s\S]*\n6\. only in the fork\n7\. \/history$/);
    agent.reset();
    await agent.prompt(sessionId, '/history');
    assert.doesNotMatch(messageText(agent.updatesOf(sessionId)), /only in the fork/);
    await agent.stop();
  });

  it('session/list lists stored and live sessions with cwd, title (first prompt) and updatedAt; filters by cwd', async () => {
    const agent = await start();
    const otherCwd = join(dir, 'elsewhere');
    const live = (await agent.newSession(otherCwd)).sessionId;
    await agent.prompt(live, 'a fresh start');
    const { sessions } = await agent.agent.request('session/list', {});
    const byId = new Map(sessions.map((s) => [s.sessionId, s]));
    assert.ok(sessions.length >= 3, 'original, fork and the live one');
    assert.equal(byId.get(sessionId)?.title, 'hello');
    assert.equal(byId.get(sessionId)?.cwd, cwd);
    assert.equal(byId.get(live)?.title, 'a fresh start');
    assert.ok(!Number.isNaN(Date.parse(byId.get(live)!.updatedAt!)));
    const filtered = await agent.agent.request('session/list', { cwd: otherCwd });
    assert.deepEqual(filtered.sessions.map((s) => s.sessionId), [live]);
    await agent.stop();
  });

  it('session/close drops the session from the process (prompts then fail) but keeps it in the store', async () => {
    const agent = await start();
    await agent.agent.request('session/resume', { sessionId, cwd });
    assert.deepEqual(await agent.agent.request('session/close', { sessionId }), {});
    await assert.rejects(agent.prompt(sessionId, 'after close'), { code: -32002 });
    await agent.agent.request('session/resume', { sessionId, cwd });
    assert.equal((await agent.prompt(sessionId, 'back again')).stopReason, 'end_turn');
    await agent.stop();
  });

  it('session/close cancels a running turn', async () => {
    const agent = await start();
    const id = (await agent.newSession(cwd)).sessionId;
    const turn = agent.prompt(id, '/slow 30');
    await eventually(() => agent.updatesOf(id).length > 0, 2000, 'first tick');
    await agent.agent.request('session/close', { sessionId: id });
    assert.equal((await turn).stopReason, 'cancelled');
    await agent.stop();
  });
});
