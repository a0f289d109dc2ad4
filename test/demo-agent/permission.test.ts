// /permission: tool_call → session/request_permission (claude-agent-acp's options) → tool_call_update, then a
// message saying what was decided; and a session/cancel while the permission request is pending.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestPermissionRequest, RequestPermissionResponse } from '@agentclientprotocol/sdk/unstable';
import { messageText, ofKind, spawnAgent } from './harness.js';
import type { AgentUnderTest, PermissionHandler } from './harness.js';
import { within } from '../helpers/poll.js';

const EXPECTED_OPTIONS = [
  { optionId: 'allow_always', kind: 'allow_always', name: 'Always allow' },
  { optionId: 'allow', kind: 'allow_once', name: 'Allow' },
  { optionId: 'reject', kind: 'reject_once', name: 'Reject' },
];

describe('demo agent: /permission', () => {
  let agent: AgentUnderTest;
  let cwd: string;
  let sessionId: string;
  const requests: RequestPermissionRequest[] = [];
  /** what the next permission request is answered with; replaced per test */
  let answer: PermissionHandler = () => ({ outcome: { outcome: 'cancelled' } });

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'demo-agent-permission-'));
    agent = spawnAgent({
      permission: (request, ctx, signal) => {
        requests.push(request);
        return answer(request, ctx, signal);
      },
    });
    await agent.initialize();
    sessionId = (await agent.newSession(cwd)).sessionId;
  });

  after(async () => {
    await agent.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const select = (optionId: string): PermissionHandler => () => ({ outcome: { outcome: 'selected', optionId } });

  it('allow: pending tool_call, the three options, completed update, "permission: selected allow"', async () => {
    agent.reset();
    requests.length = 0;
    answer = select('allow');
    const res = await agent.prompt(sessionId, '/permission');
    assert.equal(res.stopReason, 'end_turn');
    const updates = agent.updatesOf(sessionId);
    const [call] = ofKind(updates, 'tool_call');
    assert.ok(call);
    assert.equal(call.status, 'pending');
    assert.equal(call.kind, 'execute');
    assert.deepEqual(call.rawInput, { command: call.title });
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0]!.options, EXPECTED_OPTIONS);
    assert.equal(requests[0]!.sessionId, sessionId);
    assert.equal(requests[0]!.toolCall.toolCallId, call.toolCallId);
    const [done] = ofKind(updates, 'tool_call_update');
    assert.equal(done?.toolCallId, call.toolCallId);
    assert.equal(done?.status, 'completed');
    assert.equal(messageText(updates), 'permission: selected allow');
    // order: tool_call, then the update, then the text
    const kinds = updates.map((u) => u.sessionUpdate);
    assert.ok(kinds.indexOf('tool_call') < kinds.indexOf('tool_call_update'));
    assert.ok(kinds.indexOf('tool_call_update') < kinds.indexOf('agent_message_chunk'));
  });

  it('allow_always counts as allowed', async () => {
    agent.reset();
    answer = select('allow_always');
    await agent.prompt(sessionId, '/permission');
    assert.equal(ofKind(agent.updatesOf(sessionId), 'tool_call_update')[0]?.status, 'completed');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'permission: selected allow_always');
  });

  it('reject: failed update and "permission: selected reject"', async () => {
    agent.reset();
    answer = select('reject');
    const res = await agent.prompt(sessionId, '/permission');
    assert.equal(res.stopReason, 'end_turn');
    assert.equal(ofKind(agent.updatesOf(sessionId), 'tool_call_update')[0]?.status, 'failed');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'permission: selected reject');
  });

  it('KIND, TITLE and path= shape the tool call (path resolved against the session cwd)', async () => {
    agent.reset();
    requests.length = 0;
    answer = select('allow');
    await agent.prompt(sessionId, '/permission edit Edit the file path=src/a.txt');
    const [call] = ofKind(agent.updatesOf(sessionId), 'tool_call');
    assert.equal(call?.kind, 'edit');
    assert.equal(call?.title, 'Edit the file');
    assert.deepEqual(call?.locations, [{ path: join(cwd, 'src/a.txt') }]);
    assert.deepEqual(requests[0]!.toolCall.locations, [{ path: join(cwd, 'src/a.txt') }]);
  });

  it('a client answering "cancelled" without session/cancel: failed, "permission: cancelled", end_turn', async () => {
    agent.reset();
    answer = () => ({ outcome: { outcome: 'cancelled' } });
    const res = await agent.prompt(sessionId, '/permission');
    assert.equal(res.stopReason, 'end_turn');
    assert.equal(ofKind(agent.updatesOf(sessionId), 'tool_call_update')[0]?.status, 'failed');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'permission: cancelled');
  });

  it('session/cancel while the permission request is pending ends the turn "cancelled" without waiting', async () => {
    agent.reset();
    // This client cancels the turn and then never answers the permission request until the connection
    // closes: the agent must resolve the pending request as cancelled on its own.
    answer = async (request, ctx, signal) => {
      await ctx.notify('session/cancel', { sessionId: request.sessionId });
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return { outcome: { outcome: 'cancelled' } } satisfies RequestPermissionResponse;
    };
    const res = await within(agent.prompt(sessionId, '/permission'), 2000, 'cancelled prompt');
    assert.equal(res.stopReason, 'cancelled');
    assert.equal(ofKind(agent.updatesOf(sessionId), 'tool_call_update')[0]?.status, 'failed');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'permission: cancelled');
  });

  it('a permission request the client fails: the JSON-RPC error is reported, the tool fails', async () => {
    agent.reset();
    answer = () => {
      throw new Error('no handler');
    };
    const res = await agent.prompt(sessionId, '/permission');
    assert.equal(res.stopReason, 'end_turn');
    assert.equal(ofKind(agent.updatesOf(sessionId), 'tool_call_update')[0]?.status, 'failed');
    assert.match(messageText(agent.updatesOf(sessionId)), /^permission: error -32603 /);
  });
});
