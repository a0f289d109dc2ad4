// A remote ACP client (the ACP SDK's own client over Streamable HTTP) drives claude-agent-acp through the gateway's
// `/acp/claude`, against the fake Anthropic API: the model's answer streamed as session updates, and a Bash tool call
// that the policy would ask, decided by the remote client, that really runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FAKE_TEXT_PREFIX, TOOL_RESULT_PREFIX, startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import { TOKEN, startRealGateway, writeClaudeConfig, type RealGateway, type RealSetup } from './real-gateway.js';
import { connectRemote } from '../test/remote-acp/acp-client.js';

const LONG = { timeout: 180_000 };
let fake: FakeAnthropic;
let setup: RealSetup;
let g: RealGateway;

before(async () => {
  fake = await startFakeAnthropic();
  setup = writeClaudeConfig({ agents: { claude: fake.url }, permissions: { default: 'ask' } });
  g = await startRealGateway(setup);
});

after(async () => {
  await g?.close();
  await fake?.close();
  setup?.dispose();
});

test('a remote ACP client prompts claude-agent-acp through /acp and decides its permission request', LONG, async () => {
  const c = await connectRemote(g.url, '/acp/claude', {
    token: TOKEN,
    onPermission: async (p) => ({ outcome: { outcome: 'selected', optionId: p.options.find((o) => o.kind === 'allow_once')!.optionId } }),
  });
  try {
    const id = (await c.request('session/new', { cwd: '/somewhere/on/the/client', mcpServers: [] })).sessionId as string;
    const first = await c.request('session/prompt', { sessionId: id, prompt: [{ type: 'text', text: 'hello from a remote editor' }] });
    assert.equal(first.stopReason, 'end_turn');
    assert.equal(c.text(id), `${FAKE_TEXT_PREFIX}hello from a remote editor`);

    const before = c.text(id).length;
    const second = await c.request('session/prompt', { sessionId: id, prompt: [{ type: 'text', text: 'RUN: touch remote-approved.txt' }] });
    assert.equal(second.stopReason, 'end_turn');
    assert.equal(c.permissions.length, 1, 'the remote client was asked');
    assert.match(c.text(id).slice(before), new RegExp(TOOL_RESULT_PREFIX), c.text(id).slice(before));
    const session0 = await g.api('GET', `/api/v1/sessions/${id}`);
    assert.ok(existsSync(join(session0.body.workspace_root, 'remote-approved.txt')), 'the approved command really ran in the session workspace');
    const decided = g.gw.store.readStream(`session:${id}`).filter((e) => e.type === 'PermissionDecided');
    assert.equal((decided[0]!.data as { decided_by: string }).decided_by, 'tester');
    const session = await g.api('GET', `/api/v1/sessions/${id}`);
    assert.equal(session.body.origin, 'acp');
    await c.request('session/close', { sessionId: id });
  } finally {
    c.close();
  }
});
