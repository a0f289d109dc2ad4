// How turns end other than normally: /slow cancelled by session/cancel, /exit killing the process mid-turn,
// a second concurrent prompt, and stdin closing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageText, ofKind, spawnAgent } from './harness.js';
import type { AgentUnderTest } from './harness.js';
import { eventually, within } from '../helpers/poll.js';

describe('demo agent: /slow and cancellation', () => {
  let agent: AgentUnderTest;
  let cwd: string;
  let sessionId: string;

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'demo-agent-slow-'));
    agent = spawnAgent();
    await agent.initialize();
    sessionId = (await agent.newSession(cwd)).sessionId;
  });

  after(async () => {
    await agent.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('/slow 0.3 streams three ticks and ends the turn', async () => {
    agent.reset();
    const res = await agent.prompt(sessionId, '/slow 0.3');
    assert.equal(res.stopReason, 'end_turn');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'slow 1/3\nslow 2/3\nslow 3/3\n');
  });

  it('session/cancel stops /slow 30 promptly with stopReason "cancelled"', async () => {
    agent.reset();
    const turn = agent.prompt(sessionId, '/slow 30');
    await eventually(() => ofKind(agent.updatesOf(sessionId), 'agent_message_chunk').length >= 2, 2000, 'first ticks');
    await agent.agent.notify('session/cancel', { sessionId });
    const res = await within(turn, 2000, 'cancelled turn');
    assert.equal(res.stopReason, 'cancelled');
    const ticks = ofKind(agent.updatesOf(sessionId), 'agent_message_chunk').length;
    assert.ok(ticks < 300, `stopped early (${ticks} ticks)`);
    // the session takes the next prompt normally
    agent.reset();
    assert.equal((await agent.prompt(sessionId, 'next')).stopReason, 'end_turn');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'echo: next');
  });

  it('a second prompt while a turn runs is refused with -32600; the first turn is unaffected', async () => {
    const first = agent.prompt(sessionId, '/slow 0.5');
    await assert.rejects(agent.prompt(sessionId, 'too soon'), { code: -32600 });
    assert.equal((await first).stopReason, 'end_turn');
  });

  it('session/cancel for an idle or unknown session is ignored', async () => {
    await agent.agent.notify('session/cancel', { sessionId });
    await agent.agent.notify('session/cancel', { sessionId: 'nope' });
    assert.equal((await agent.prompt(sessionId, 'still fine')).stopReason, 'end_turn');
  });
});

describe('demo agent: /exit and stdin end', () => {
  it('/exit 7 sends one chunk, writes stderr, and exits with 7 without answering', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'demo-agent-exit-'));
    const agent = spawnAgent();
    try {
      await agent.initialize();
      const { sessionId } = await agent.newSession(cwd);
      await assert.rejects(within(agent.prompt(sessionId, '/exit 7'), 3000, 'prompt of /exit'), /closed/i);
      const exit = await within(agent.exited, 3000, 'agent exit');
      assert.equal(exit.code, 7);
      assert.equal(messageText(agent.updatesOf(sessionId)), 'exiting with code 7');
      assert.match(agent.stderr, /exiting mid-turn with code 7/);
      // nothing answered the prompt: the only JSON-RPC responses are initialize's and session/new's
      const responses = agent.rawLines.filter((l) => l.includes('"result"') || l.includes('"error"'));
      assert.equal(responses.length, 2);
    } finally {
      await agent.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('/exit without a code exits with 3', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'demo-agent-exit-'));
    const agent = spawnAgent();
    try {
      await agent.initialize();
      const { sessionId } = await agent.newSession(cwd);
      await assert.rejects(agent.prompt(sessionId, '/exit'));
      assert.equal((await within(agent.exited, 3000, 'agent exit')).code, 3);
    } finally {
      await agent.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('exits with 0 when stdin closes', async () => {
    const agent = spawnAgent();
    await agent.initialize();
    agent.child.stdin!.end();
    const exit = await within(agent.exited, 3000, 'agent exit');
    assert.equal(exit.code, 0);
    await agent.stop();
  });
});
