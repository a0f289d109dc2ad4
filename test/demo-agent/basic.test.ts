// The demo agent's plain behaviours, driven through the official SDK client: initialize, echo, /chunks,
// /think, /model, /fail, /junk, /unknown, /plan.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageText, ofKind, spawnAgent } from './harness.js';
import type { AgentUnderTest } from './harness.js';
import { eventually } from '../helpers/poll.js';

describe('demo agent: plain behaviours', () => {
  let agent: AgentUnderTest;
  let cwd: string;
  let sessionId: string;

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'demo-agent-basic-'));
    agent = spawnAgent();
    const init = await agent.initialize();
    assert.equal(init.protocolVersion, 1);
    sessionId = (await agent.newSession(cwd)).sessionId;
  });

  after(async () => {
    await agent.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('logs a ready line on stderr', async () => {
    await eventually(() => agent.stderr.includes('demo agent ready (mode=resume'), 2000, 'ready line');
  });

  it('initialize reports agentInfo and the default capabilities', async () => {
    const init = await agent.initialize();
    assert.deepEqual(init.agentInfo?.name, 'aintegrix-demo-agent');
    assert.equal(typeof init.agentInfo?.version, 'string');
    assert.deepEqual(init.authMethods, []);
    const caps = init.agentCapabilities!;
    assert.equal(caps.loadSession, true);
    assert.deepEqual(caps.promptCapabilities, { image: false, audio: false, embeddedContext: true });
    assert.deepEqual(caps.mcpCapabilities, { http: true, sse: false });
    assert.deepEqual(caps.sessionCapabilities, { resume: {}, fork: {}, list: {}, close: {} });
  });

  it('echoes plain text in at least two chunks whose concatenation is exact', async () => {
    for (const text of ['hello world', 'x', '', 'ünïcödé 🎉 with a long enough tail to need several pieces of thirty-two']) {
      agent.reset();
      const res = await agent.prompt(sessionId, text);
      assert.equal(res.stopReason, 'end_turn');
      const chunks = ofKind(agent.updatesOf(sessionId), 'agent_message_chunk');
      assert.ok(chunks.length >= 2, `expected >= 2 chunks for ${JSON.stringify(text)}, got ${chunks.length}`);
      assert.equal(messageText(chunks), `echo: ${text}`);
    }
  });

  it('concatenates the text blocks and mentions resource and resource_link blocks', async () => {
    agent.reset();
    await agent.prompt(sessionId, [
      { type: 'text', text: 'look at ' },
      { type: 'resource_link', uri: 'file:///w/a.txt', name: 'a.txt' },
      { type: 'text', text: 'and this' },
      { type: 'resource', resource: { uri: 'file:///w/b.txt', text: 'four', mimeType: 'text/plain' } },
    ]);
    assert.equal(
      messageText(agent.updatesOf(sessionId)),
      'echo: look at and this [resource_link file:///w/a.txt] [resource file:///w/b.txt (4 chars)]',
    );
  });

  it('/chunks N sends exactly N chunks of deterministic 8-character content', async () => {
    agent.reset();
    const res = await agent.prompt(sessionId, '/chunks 1000');
    assert.equal(res.stopReason, 'end_turn');
    const chunks = ofKind(agent.updatesOf(sessionId), 'agent_message_chunk');
    assert.equal(chunks.length, 1000);
    chunks.forEach((c, i) => assert.deepEqual(c.content, { type: 'text', text: String(i).padStart(8, '0') }));
  });

  it('/chunks N SIZE honours the size', async () => {
    agent.reset();
    await agent.prompt(sessionId, '/chunks 12 3');
    const texts = ofKind(agent.updatesOf(sessionId), 'agent_message_chunk').map((c) => (c.content.type === 'text' ? c.content.text : '?'));
    assert.deepEqual(texts, ['000', '001', '002', '003', '004', '005', '006', '007', '008', '009', '010', '011']);
  });

  it('/think sends a thought chunk before the answer', async () => {
    agent.reset();
    await agent.prompt(sessionId, '/think about it');
    const kinds = agent.updatesOf(sessionId).map((u) => u.sessionUpdate);
    assert.equal(kinds[0], 'agent_thought_chunk');
    assert.ok(kinds.slice(1).every((k) => k === 'agent_message_chunk') && kinds.length >= 2);
    assert.equal(messageText(agent.updatesOf(sessionId)), 'think: done');
  });

  it('/model answers the current model id', async () => {
    agent.reset();
    await agent.prompt(sessionId, '/model');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'model: demo-fast');
  });

  it('/fail answers the prompt with JSON-RPC error -32603 "demo failure"', async () => {
    await assert.rejects(agent.prompt(sessionId, '/fail'), { code: -32603, message: 'demo failure' });
    // the session stays usable
    assert.equal((await agent.prompt(sessionId, 'still here')).stopReason, 'end_turn');
  });

  it('/junk writes a non-JSON line, then echoes; agent and client both survive', async () => {
    agent.reset();
    const res = await agent.prompt(sessionId, '/junk');
    assert.equal(res.stopReason, 'end_turn');
    assert.ok(agent.rawLines.includes('this is not json'), 'the raw junk line was written');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'echo: /junk');
    // The SDK client answered the junk with a -32700 response (id null); the agent must take it in stride.
    agent.reset();
    assert.equal((await agent.prompt(sessionId, 'after junk')).stopReason, 'end_turn');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'echo: after junk');
    assert.equal(agent.child.exitCode, null);
  });

  it('/unknown sends an unknown update kind and a usage_update with used=null (seen on the raw stream)', async () => {
    agent.reset();
    const res = await agent.prompt(sessionId, '/unknown');
    assert.equal(res.stopReason, 'end_turn');
    const raw = agent.rawUpdates();
    const future = raw.find((u) => u.sessionUpdate === 'future_kind');
    assert.ok(future, 'future_kind update on the wire');
    const usage = raw.find((u) => u.sessionUpdate === 'usage_update');
    assert.deepEqual(usage, { sessionUpdate: 'usage_update', used: null, size: 200000 });
    // both precede the closing text
    const kinds = raw.map((u) => u.sessionUpdate);
    assert.ok(kinds.indexOf('future_kind') < kinds.indexOf('agent_message_chunk'));
    assert.ok(kinds.indexOf('usage_update') < kinds.indexOf('agent_message_chunk'));
  });

  it('/plan sends a plan, a usage_update with cost, and usage in the response', async () => {
    agent.reset();
    const res = await agent.prompt(sessionId, '/plan');
    assert.equal(res.stopReason, 'end_turn');
    assert.deepEqual(res.usage, { inputTokens: 1000, outputTokens: 234, totalTokens: 1234 });
    const updates = agent.updatesOf(sessionId);
    const [plan] = ofKind(updates, 'plan');
    assert.equal(plan?.entries.length, 3);
    assert.deepEqual(plan?.entries.map((e) => e.status), ['completed', 'in_progress', 'pending']);
    const [usage] = ofKind(updates, 'usage_update');
    assert.equal(usage?.used, 1234);
    assert.equal(usage?.size, 200000);
    assert.deepEqual(usage?.cost, { amount: 0.0123, currency: 'USD' });
  });

  it('/help lists every command; unknown commands are echoed', async () => {
    agent.reset();
    await agent.prompt(sessionId, '/help');
    const help = messageText(agent.updatesOf(sessionId));
    for (const command of ['/chunks', '/permission', '/read', '/read-raw', '/write', '/run', '/run-kill', '/slow', '/exit', '/junk', '/unknown', '/plan', '/history', '/fail', '/think', '/model']) {
      assert.ok(help.includes(`\n${command} `), `${command} listed`);
    }
    agent.reset();
    await agent.prompt(sessionId, '/no-such-command  x');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'echo: /no-such-command  x');
  });

  it('a prompt for an unknown session fails with -32002', async () => {
    await assert.rejects(agent.prompt('no-such-session', 'hi'), { code: -32002 });
  });
});
