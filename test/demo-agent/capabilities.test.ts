// Capabilities switched by flags and env (flags win): --mode resume|load|none, --no-fork/list/close/set-model/
// config-options, --auth-required; and the model/mode switches (set_model, set_config_option, set_mode).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionConfigOption } from '@agentclientprotocol/sdk/unstable';
import { messageText, spawnAgent } from './harness.js';
import type { AgentUnderTest, SpawnOptions } from './harness.js';
import { within } from '../helpers/poll.js';

const METHOD_NOT_FOUND = { code: -32601 };

describe('demo agent: capability switches', () => {
  let dir: string;
  let store: string;
  let storedId: string;

  const withAgent = async (options: SpawnOptions, body: (agent: AgentUnderTest) => Promise<void>): Promise<void> => {
    const agent = spawnAgent(options);
    try {
      await body(agent);
    } finally {
      await agent.stop();
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-agent-caps-'));
    store = join(dir, 'store');
    await withAgent({ args: ['--store', store] }, async (agent) => {
      await agent.initialize();
      storedId = (await agent.newSession(dir)).sessionId;
      await agent.prompt(storedId, 'remember me');
    });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--mode load: loadSession only; session/resume is -32601, session/load replays', async () => {
    await withAgent({ args: ['--mode', 'load', '--store', store] }, async (agent) => {
      const caps = (await agent.initialize()).agentCapabilities!;
      assert.equal(caps.loadSession, true);
      assert.equal(caps.sessionCapabilities?.resume, undefined);
      await assert.rejects(agent.agent.request('session/resume', { sessionId: storedId, cwd: dir }), METHOD_NOT_FOUND);
      await agent.agent.request('session/load', { sessionId: storedId, cwd: dir, mcpServers: [] });
      assert.equal(agent.updatesOf(storedId)[0]?.sessionUpdate, 'user_message_chunk');
    });
  });

  it('--mode none: neither; load and resume are -32601', async () => {
    await withAgent({ args: ['--mode=none', '--store', store] }, async (agent) => {
      const caps = (await agent.initialize()).agentCapabilities!;
      assert.equal(caps.loadSession, false);
      assert.equal(caps.sessionCapabilities?.resume, undefined);
      await assert.rejects(agent.agent.request('session/load', { sessionId: storedId, cwd: dir, mcpServers: [] }), METHOD_NOT_FOUND);
      await assert.rejects(agent.agent.request('session/resume', { sessionId: storedId, cwd: dir }), METHOD_NOT_FOUND);
    });
  });

  it('DEMO_AGENT_MODE sets the mode, and a flag wins over it', async () => {
    await withAgent({ env: { DEMO_AGENT_MODE: 'none' } }, async (agent) => {
      assert.equal((await agent.initialize()).agentCapabilities?.loadSession, false);
    });
    await withAgent({ env: { DEMO_AGENT_MODE: 'none' }, args: ['--mode', 'resume'] }, async (agent) => {
      const caps = (await agent.initialize()).agentCapabilities!;
      assert.equal(caps.loadSession, true);
      assert.deepEqual(caps.sessionCapabilities?.resume, {});
    });
  });

  it('--no-fork --no-list --no-close: capabilities withheld, methods -32601', async () => {
    await withAgent({ args: ['--no-fork', '--no-list', '--no-close'] }, async (agent) => {
      const caps = (await agent.initialize()).agentCapabilities!;
      assert.deepEqual(caps.sessionCapabilities, { resume: {} });
      const { sessionId } = await agent.newSession(dir);
      await assert.rejects(agent.agent.request('session/fork', { sessionId, cwd: dir }), METHOD_NOT_FOUND);
      await assert.rejects(agent.agent.request('session/list', {}), METHOD_NOT_FOUND);
      await assert.rejects(agent.agent.request('session/close', { sessionId }), METHOD_NOT_FOUND);
    });
  });

  it('DEMO_AGENT_FORK=0 withholds fork; --fork re-enables it', async () => {
    await withAgent({ env: { DEMO_AGENT_FORK: '0' } }, async (agent) => {
      assert.equal((await agent.initialize()).agentCapabilities?.sessionCapabilities?.fork, undefined);
    });
    await withAgent({ env: { DEMO_AGENT_FORK: '0' }, args: ['--fork'] }, async (agent) => {
      assert.deepEqual((await agent.initialize()).agentCapabilities?.sessionCapabilities?.fork, {});
    });
  });

  it('--no-set-model --no-config-options: no models/configOptions in session/new, methods -32601', async () => {
    await withAgent({ args: ['--no-set-model', '--no-config-options'] }, async (agent) => {
      await agent.initialize();
      const res = (await agent.newSession(dir)) as Record<string, unknown> & { sessionId: string };
      assert.equal(res.models, undefined);
      assert.equal(res.configOptions, undefined);
      assert.equal((res.modes as { currentModeId: string }).currentModeId, 'default');
      await assert.rejects(agent.agent.request('session/set_model', { sessionId: res.sessionId, modelId: 'demo-smart' }), METHOD_NOT_FOUND);
      await assert.rejects(
        agent.agent.request('session/set_config_option', { sessionId: res.sessionId, configId: 'model', value: 'demo-smart' }),
        METHOD_NOT_FOUND,
      );
    });
  });

  it('an unknown flag exits with 2 and a usage text', async () => {
    const agent = spawnAgent({ args: ['--frobnicate'] });
    const exit = await within(agent.exited, 3000, 'exit on a bad flag');
    assert.equal(exit.code, 2);
    assert.match(agent.stderr, /unknown option --frobnicate[\s\S]*usage:/);
    await agent.stop();
  });

  it('--auth-required: one auth method; session/new and prompt need authenticate(demo-login)', async () => {
    await withAgent({ args: ['--auth-required'] }, async (agent) => {
      const init = await agent.initialize();
      assert.deepEqual(init.authMethods, [{ id: 'demo-login', name: 'Demo login' }]);
      await assert.rejects(agent.newSession(dir), { code: -32000, message: 'Authentication required' });
      await assert.rejects(agent.agent.request('authenticate', { methodId: 'other' }), { code: -32602 });
      await assert.rejects(agent.newSession(dir), { code: -32000 });
      assert.deepEqual(await agent.agent.request('authenticate', { methodId: 'demo-login' }), {});
      const { sessionId } = await agent.newSession(dir);
      assert.equal((await agent.prompt(sessionId, 'in')).stopReason, 'end_turn');
    });
  });
});

describe('demo agent: models and modes', () => {
  let agent: AgentUnderTest;
  let dir: string;
  let sessionId: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-agent-models-'));
    agent = spawnAgent({ args: ['--store', join(dir, 'store')] });
    await agent.initialize();
    const res = (await agent.newSession(dir)) as Awaited<ReturnType<AgentUnderTest['newSession']>> & { models?: unknown };
    sessionId = res.sessionId;
    assert.deepEqual(res.models, {
      currentModelId: 'demo-fast',
      availableModels: [
        { modelId: 'demo-fast', name: 'Demo fast' },
        { modelId: 'demo-smart', name: 'Demo smart' },
      ],
    });
    const model = res.configOptions?.find((o) => o.id === 'model');
    assert.equal(model?.category, 'model');
    assert.equal(model?.type, 'select');
    assert.equal(model?.currentValue, 'demo-fast');
    assert.equal(res.configOptions?.find((o) => o.id === 'mode')?.type, 'select');
  });

  after(async () => {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const currentModel = async (): Promise<string> => {
    agent.reset();
    await agent.prompt(sessionId, '/model');
    return messageText(agent.updatesOf(sessionId));
  };
  const valueOf = (options: SessionConfigOption[], id: string): unknown => options.find((o) => o.id === id)?.currentValue;

  it('session/set_model switches the model; an unknown model is -32602', async () => {
    assert.deepEqual(await agent.agent.request('session/set_model', { sessionId, modelId: 'demo-smart' }), {});
    assert.equal(await currentModel(), 'model: demo-smart');
    await assert.rejects(agent.agent.request('session/set_model', { sessionId, modelId: 'gpt-9' }), { code: -32602 });
    await assert.rejects(agent.agent.request('session/set_model', { sessionId }), { code: -32602 });
    assert.equal(await currentModel(), 'model: demo-smart');
  });

  it('session/set_config_option model|mode answers the full list; unknown option or value is -32602', async () => {
    const res = await agent.agent.request('session/set_config_option', { sessionId, configId: 'model', value: 'demo-fast' });
    assert.equal(valueOf(res.configOptions, 'model'), 'demo-fast');
    assert.equal(await currentModel(), 'model: demo-fast');
    const modeRes = await agent.agent.request('session/set_config_option', { sessionId, configId: 'mode', value: 'plan' });
    assert.equal(valueOf(modeRes.configOptions, 'mode'), 'plan');
    await assert.rejects(agent.agent.request('session/set_config_option', { sessionId, configId: 'model', value: 'nope' }), { code: -32602 });
    await assert.rejects(agent.agent.request('session/set_config_option', { sessionId, configId: 'colour', value: 'red' }), { code: -32602 });
  });

  it('session/set_mode switches the mode (/mode tells)', async () => {
    await agent.agent.request('session/set_mode', { sessionId, modeId: 'default' });
    agent.reset();
    await agent.prompt(sessionId, '/mode');
    assert.equal(messageText(agent.updatesOf(sessionId)), 'mode: default');
    await assert.rejects(agent.agent.request('session/set_mode', { sessionId, modeId: 'yolo' }), { code: -32602 });
  });

  it('the chosen model is stored with the session and reported on resume', async () => {
    await agent.agent.request('session/set_model', { sessionId, modelId: 'demo-smart' });
    const other = spawnAgent({ args: ['--store', join(dir, 'store')] });
    try {
      await other.initialize();
      const res = (await other.agent.request('session/resume', { sessionId, cwd: dir })) as { configOptions: SessionConfigOption[]; models: { currentModelId: string } };
      assert.equal(valueOf(res.configOptions, 'model'), 'demo-smart');
      assert.equal(res.models.currentModelId, 'demo-smart');
    } finally {
      await other.stop();
    }
  });
});
