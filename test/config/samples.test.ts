// The original's two sample configs (test/config/fixtures) and ours (samples/) load as documented.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { fixture, sample } from './helpers.js';
import { DEFAULT_PROTECTED_PATHS } from '../../src/permissions/protected-paths.js';
import { DEFAULT_COMMAND_PATH } from '../../src/workspace/executable.js';

const keys = { ANTHROPIC_API_KEY: 'sk-ant-test', OPENAI_API_KEY: 'sk-openai-test' };

describe('original samples', () => {
  it('loads the remote sample with one warning per legacy key and a translated policy', () => {
    const file = fixture('original-aintegrix.yaml');
    const { config, warnings, source } = loadConfig({ path: file, env: keys });
    assert.equal(source, file);
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.server.port, 8050);
    assert.deepEqual(Object.keys(config.agents), ['kiro', 'copilot', 'opencode', 'claude', 'codex']);
    assert.deepEqual(config.agents['copilot']?.args, ['--acp', '--stdio']);
    assert.equal(config.agents['copilot']?.max_sessions, 5);
    assert.equal(config.agents['claude']?.mode, 'adapter');
    assert.equal(config.agents['claude']?.auto_restart, true);
    assert.deepEqual(config.agents['claude']?.env, { ANTHROPIC_API_KEY: 'sk-ant-test' });
    assert.deepEqual(config.agents['codex']?.env, { OPENAI_API_KEY: 'sk-openai-test' });
    // persistence.path is honoured as store.path
    assert.equal(config.store.path, '/var/lib/aintegrix/aintegrix.db');

    assert.equal(warnings.length, 4, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /original-aintegrix\.yaml:4: server\.auth: legacy key, ignored: configure auth\.tokens, or set the AINTEGRIX_API_KEY/);
    assert.match(warnings[1] ?? '', /:9: persistence\.path: legacy key: use store\.path/);
    assert.match(warnings[2] ?? '', /:11: logging: legacy key, ignored: logs are always JSON lines on stderr; set the level with the AINTEGRIX_LOG_LEVEL/);
    assert.match(warnings[3] ?? '', /:51: permissions: legacy policy .* translated to default: deny/);

    assert.deepEqual(config.permissions, {
      protected_paths: [...DEFAULT_PROTECTED_PATHS], command_path: [...DEFAULT_COMMAND_PATH],
      default: 'deny',
      approval_timeout_secs: 300,
      rules: [
        { decision: 'deny', method: 'terminal/kill' },
        { decision: 'allow', method: 'fs/read_text_file' },
        { decision: 'ask', method: 'fs/write_text_file' },
        { decision: 'ask', method: 'terminal/create' },
      ],
    });
  });

  it('loads the local sample with its models and routing rules in order', () => {
    const { config, warnings } = loadConfig({ path: fixture('original-aintegrix-local.yaml'), env: {} });
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.agents['kiro']?.command, '/home/alfonsodg/.local/bin/kiro-cli');
    assert.equal(config.agents['opencode']?.default_model, 'xiaomi-mimo/mimo-v2.5-pro');
    assert.deepEqual(config.agents['codex']?.models, ['gpt-5.5-xhigh', 'o3', 'o4-mini']);
    assert.deepEqual(
      config.routing.rules.map((r) => r.agent),
      ['copilot', 'kiro', 'claude', 'opencode', 'codex'],
    );
    assert.deepEqual(config.routing.rules[1]?.match, { file_patterns: ['*.rs', 'Cargo.toml'] });
    assert.deepEqual(config.routing.rules[3]?.match, { task_type: 'refactor' });
    assert.equal(config.routing.fallback, 'kiro');
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /: logging: legacy key/);
    assert.match(warnings[1] ?? '', /: permissions: legacy policy/);
    assert.equal(config.store.path, resolve('data', 'aintegrix.db'));
  });

  it('names the missing credential when the remote sample is loaded without it', () => {
    assert.throws(
      () => loadConfig({ path: fixture('original-aintegrix.yaml'), env: { OPENAI_API_KEY: 'x' } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /original-aintegrix\.yaml:41: agents\.claude\.env\.ANTHROPIC_API_KEY: environment variable ANTHROPIC_API_KEY is not set/.test(e.message),
    );
  });
});

describe('our samples', () => {
  it('samples/aintegrix.yaml loads every agent, tokens from the environment and the policy', () => {
    const env = { ...keys, AINTEGRIX_TOKEN_OPS: 'ops-token-0123456789', AINTEGRIX_TOKEN_CI: 'ci-token-0123456789ab' };
    const { config, warnings } = loadConfig({ path: sample('aintegrix.yaml'), env });
    assert.deepEqual(warnings, []);
    assert.deepEqual(Object.keys(config.agents).sort(), ['claude', 'codex', 'copilot', 'gemini', 'kiro', 'opencode']);
    assert.deepEqual([config.agents['gemini']?.command, config.agents['gemini']?.args], ['gemini', ['--acp']]);
    assert.deepEqual([config.agents['opencode']?.command, config.agents['opencode']?.args], ['opencode', ['acp']]);
    assert.deepEqual([config.agents['kiro']?.command, config.agents['kiro']?.args], ['kiro-cli', ['acp']]);
    assert.deepEqual([config.agents['copilot']?.command, config.agents['copilot']?.args], ['copilot', ['--acp', '--stdio']]);
    assert.equal(config.agents['claude']?.command, 'claude-agent-acp');
    assert.deepEqual(config.agents['claude']?.env, { ANTHROPIC_API_KEY: 'sk-ant-test' });
    assert.deepEqual(config.agents['codex']?.env, { OPENAI_API_KEY: 'sk-openai-test' });
    assert.deepEqual(config.auth.tokens, [
      { name: 'ops', token: 'ops-token-0123456789', scopes: ['admin'] },
      { name: 'ci', token: 'ci-token-0123456789ab', scopes: ['read', 'prompt'] },
    ]);
    assert.equal(config.permissions.default, 'ask');
    assert.equal(config.permissions.rules[0]?.decision, 'deny');
    assert.equal(config.store.path, '/var/lib/aintegrix/aintegrix.db');
    assert.equal(config.limits.max_body_bytes, 1024 * 1024);
    assert.equal(config.limits.max_prompt_bytes, 256 * 1024);
    assert.equal(config.routing.fallback, 'claude');
  });

  it('samples/aintegrix.yaml refuses to start without its auth tokens', () => {
    assert.throws(
      () => loadConfig({ path: sample('aintegrix.yaml'), env: keys }),
      /auth\.tokens\[0\]\.token: environment variable AINTEGRIX_TOKEN_OPS is not set/,
    );
  });

  it('samples/aintegrix-local.yaml runs the bundled demo agent on loopback', () => {
    const { config, warnings } = loadConfig({ path: sample('aintegrix-local.yaml'), env: {} });
    assert.deepEqual(warnings, []);
    assert.equal(config.server.host, '127.0.0.1');
    assert.deepEqual(Object.keys(config.agents), ['demo']);
    assert.equal(config.agents['demo']?.command, 'aintegrix-demo-agent');
    assert.equal(config.permissions.default, 'ask');
    assert.deepEqual(config.permissions.rules, []);
  });
});
