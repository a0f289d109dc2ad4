// A claude-agent-acp session survives a restart of the real `aintegrix serve` process: the next prompt re-attaches
// the agent to the same ACP session (session/resume or session/load; the agent offers both and keeps its sessions
// under $HOME/.claude) and the model sees the conversation so far.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js';
import { openEventStore } from '../src/store/index.js';
import { FAKE_TEXT_PREFIX, startFakeAnthropic } from './fake-anthropic.js';
import { acpMessages, apiClient, says, writeClaudeConfig } from './real-gateway.js';

test('after a gateway restart the session continues through session/resume or session/load', { timeout: 240_000 }, async (t) => {
  const fake = await startFakeAnthropic();
  const setup = writeClaudeConfig({ agents: { claude: fake.url } });
  const servers: ServerProcess[] = [];
  t.after(async () => {
    for (const s of servers) s.child.kill('SIGKILL');
    await fake.close();
    setup.dispose();
  });
  const serve = async () => {
    const s = await startServerProcess(['--config', setup.configPath], { AINTEGRIX_API_KEY: undefined, AINTEGRIX_LOG_LEVEL: 'warn' }, 30_000);
    servers.push(s);
    return s;
  };

  const first = await serve();
  let api = apiClient(first.url);
  const created = await api('POST', '/api/v1/sessions', { agent: 'claude' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id: string = created.body.id;
  const before = await api('POST', `/api/v1/sessions/${id}/prompt`, says('remember the word pelican'));
  assert.equal(before.body.text, `${FAKE_TEXT_PREFIX}remember the word pelican`, JSON.stringify(before.body));
  const acpId: string = (await api('GET', `/api/v1/sessions/${id}`)).body.acp_session_id;
  assert.equal(await first.stop('SIGTERM'), 0, `clean shutdown\n${first.stderr()}`);

  const second = await serve();
  api = apiClient(second.url);
  const listed = await api('GET', '/api/v1/sessions');
  assert.ok(listed.body.some((s: { id: string }) => s.id === id), 'the session is back from the log');
  const requestsBefore = fake.requests.length;
  const after = await api('POST', `/api/v1/sessions/${id}/prompt`, says('what was the word?'));
  assert.equal(after.status, 200, JSON.stringify(after.body));
  assert.equal(after.body.stop_reason, 'end_turn');
  assert.equal(after.body.text, `${FAKE_TEXT_PREFIX}what was the word?`);
  const detail = (await api('GET', `/api/v1/sessions/${id}`)).body;
  assert.ok(['resume', 'load'].includes(detail.attach?.path), `re-attached by resume or load: ${JSON.stringify(detail.attach)}`);
  assert.equal(detail.acp_session_id, acpId, 'the same ACP session, not a new one');
  assert.equal(detail.turns, 2);
  // the agent really continued the conversation: the model request carries the turn from before the restart
  const conversation = fake.requests.slice(requestsBefore).filter((q) => q.answer === 'text');
  assert.ok(conversation.length >= 1, 'the model was asked after the restart');
  const sent = JSON.stringify(conversation.at(-1)!.body);
  assert.ok(sent.includes('remember the word pelican') && sent.includes(`${FAKE_TEXT_PREFIX}remember the word pelican`), 'history from before the restart');
  assert.equal(await second.stop('SIGTERM'), 0, `clean shutdown\n${second.stderr()}`);
  // the gateway logs JSON lines only, even while the agent sends updates that break the ACP schema
  for (const server of servers) {
    for (const line of server.stderr().split('\n').filter((l) => l.trim())) {
      assert.doesNotThrow(() => JSON.parse(line), `a stderr line that is not JSON: ${line}`);
    }
  }

  // the log tells the same story: attached new, then resumed/loaded with the same ACP session id
  const store = openEventStore({ path: join(setup.dataDir, 'aintegrix.db') });
  try {
    const events = store.readStream(`session:${id}`);
    const attached = events.filter((e) => e.type === 'AgentAttached').map((e) => e.data as { path: string; acp_session_id: string });
    assert.deepEqual(attached.map((a) => a.path), ['new', detail.attach.path]);
    assert.ok(attached.every((a) => a.acp_session_id === acpId));
    const method = detail.attach.path === 'resume' ? 'session/resume' : 'session/load';
    const request = acpMessages(events, 'out').find((m) => m.method === method);
    assert.equal(request?.params?.sessionId, acpId, `${method} asked for the stored session`);
    assert.deepEqual(store.verifyChain().ok, true);
  } finally {
    await store.close();
  }
});
