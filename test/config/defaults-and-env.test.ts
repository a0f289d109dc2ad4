// The embedded default, the choice of config file, the environment overrides and resolveAuthTokens.
import assert from 'node:assert/strict';
import { isAbsolute, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  DEFAULT_CONFIG_SOURCE,
  auditKeyFile,
  formatConfigError,
  defaultConfig,
  loadConfig,
  resolveAuthTokens,
} from '../../src/config/index.js';
import { writeYaml } from './helpers.js';

// Where the compiled demo agent must be, computed independently from this test's own compiled location.
const expectedDemoEntry = fileURLToPath(new URL('../../src/demo-agent/main.js', import.meta.url));

describe('embedded default', () => {
  it('is used when neither a path nor AINTEGRIX_CONFIG is given, with the documented values', () => {
    const { config, warnings, source } = loadConfig({ env: {} });
    assert.equal(source, DEFAULT_CONFIG_SOURCE);
    assert.equal(source, 'embedded default');
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.server, {
      host: '127.0.0.1',
      port: 8050,
      prompt_timeout_secs: 120,
      init_timeout_secs: 30,
      shutdown_timeout_secs: 10,
      metrics_public: true,
      allowed_hosts: [],
      allowed_origins: [],
    });
    assert.deepEqual(config.agents, {
      demo: {
        command: process.execPath,
        args: [expectedDemoEntry],
        mode: 'native',
        max_sessions: 3,
        auto_restart: true,
        env: { DEMO_AGENT_STORE: resolve('data', 'demo-agent-sessions') },
        models: [],
        git_context: false,
        mcp_servers: [],
        resume: 'lazy',
        sandbox: { type: 'none', read_only: [] },
      },
    });
    assert.ok(isAbsolute(config.agents['demo']?.args[0] ?? ''));
    assert.deepEqual(config.store, {
      kind: 'sqlite',
      data_dir: resolve('data'),
      path: resolve('data', 'aintegrix.db'),
      durability: 'strict',
      snapshot_every: 200,
      mirror_path: resolve('data', 'postgres-mirror.db'),
      poll_secs: 1,
      connect_timeout_secs: 5,
      in_doubt_timeout_secs: 10,
    });
    assert.deepEqual(config.routing, { rules: [] });
    assert.deepEqual(config.auth, { tokens: [] });
    assert.deepEqual(config.permissions, {
      default: 'ask',
      approval_timeout_secs: 300,
      rules: [],
      protected_paths: ['**/.git/**', '**/.githooks/**', '**/.husky/**', '**/.pre-commit-config.yaml', '**/.envrc', '**/.direnv/**', '**/.npmrc', '**/.yarnrc', '**/.yarnrc.yml', '**/.pnpmfile.cjs', '**/bunfig.toml', '**/.cargo/config', '**/.cargo/config.toml', '**/.vscode/settings.json', '**/.vscode/tasks.json'],
      command_path: ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'],
    });
    assert.deepEqual(config.limits, {
      max_body_bytes: 1048576,
      max_prompt_bytes: 262144,
      max_sessions_total: 256,
      max_candidates: 8,
      rate: { requests_per_second: 50, burst: 100 },
      fs_max_read_bytes: 10485760,
      fs_max_write_bytes: 10485760,
      terminal_output_bytes: 1048576,
      stream_stall_secs: 5,
    });
    assert.deepEqual(config.recovery, { transcript_max_events: 50, transcript_max_chars: 12000 });
    assert.deepEqual(config.workspaces, { dir: resolve('data-workspaces'), allowed_roots: [], homes_dir: resolve('data-agent-homes') });
    assert.deepEqual(config.audit, { key_file: undefined, checkpoint_every_events: 1000, checkpoint_every_secs: 60, sink: undefined });
    assert.equal(auditKeyFile(config), resolve('data', 'audit-key'), 'the key file defaults to the data dir');
  });

  it('audit: the key file and the sink file resolve against the cwd; the sink is stdout or {file}', () => {
    const { config } = loadConfig({ path: writeYaml('audit:\n  key_file: keys/audit.key\n  sink: {file: sink.ndjson}\n  checkpoint_every_events: 5\n'), env: {} });
    assert.deepEqual(config.audit, {
      key_file: resolve('keys/audit.key'),
      checkpoint_every_events: 5,
      checkpoint_every_secs: 60,
      sink: { file: resolve('sink.ndjson') },
    });
    assert.equal(auditKeyFile(config), resolve('keys/audit.key'));
    assert.equal(loadConfig({ path: writeYaml('audit: {sink: stdout}\n'), env: {} }).config.audit.sink, 'stdout');
    for (const [yaml, message] of [
      ['audit: {sink: stderr}\n', /audit\.sink.*expected "stdout" or \{file: PATH\}/],
      ['audit: {sink: {path: x}}\n', /audit\.sink/],
      ['audit: {checkpoint_every_events: 0}\n', /audit\.checkpoint_every_events/],
      ['audit: {key: abc}\n', /audit\.key/],
    ] as const) {
      assert.throws(() => loadConfig({ path: writeYaml(yaml), env: {} }), (e: Error) => message.test(formatConfigError(e as never)), yaml);
    }
  });

  it('defaultConfig(env) is what loadConfig returns without a file', () => {
    assert.deepEqual(defaultConfig({}), loadConfig({ env: {} }).config);
  });

  it('an empty file gets every default and no agents', () => {
    const { config, warnings } = loadConfig({ path: writeYaml(''), env: {} });
    assert.deepEqual(config.agents, {});
    assert.deepEqual({ ...config, agents: {} }, { ...defaultConfig({}), agents: {} });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /the file is empty/);
  });
});

describe('choice of config file', () => {
  it('AINTEGRIX_CONFIG names the file when no path is given', () => {
    const file = writeYaml('agents:\n  from-env: {command: a}\n');
    const { config, source } = loadConfig({ env: { AINTEGRIX_CONFIG: file } });
    assert.equal(source, file);
    assert.deepEqual(Object.keys(config.agents), ['from-env']);
  });

  it('the path from --config wins over AINTEGRIX_CONFIG', () => {
    const fromEnv = writeYaml('agents:\n  from-env: {command: a}\n');
    const fromFlag = writeYaml('agents:\n  from-flag: {command: a}\n');
    const { config, source } = loadConfig({ path: fromFlag, env: { AINTEGRIX_CONFIG: fromEnv } });
    assert.equal(source, fromFlag);
    assert.deepEqual(Object.keys(config.agents), ['from-flag']);
  });

  it('a missing file is an error naming it', () => {
    const missing = join(writeYaml(''), '..', 'nope.yaml');
    assert.throws(() => loadConfig({ path: missing, env: {} }), {
      name: 'ConfigError',
      message: `${missing}: cannot read the config file: no such file`,
    });
  });
});

describe('environment overrides', () => {
  const env = { AINTEGRIX_HOST: '0.0.0.0', AINTEGRIX_PORT: '9123', AINTEGRIX_DATA_DIR: '/srv/aintegrix' };

  it('apply on top of the embedded default', () => {
    const config = defaultConfig(env);
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.server.port, 9123);
    assert.equal(config.store.data_dir, '/srv/aintegrix');
    assert.equal(config.store.path, '/srv/aintegrix/aintegrix.db');
  });

  it('apply on top of a file, except that an explicit store.path stays', () => {
    const file = writeYaml('server:\n  host: 10.0.0.1\n  port: 8000\nstore:\n  data_dir: ./d\n  path: /db/x.db\n');
    const { config } = loadConfig({ path: file, env });
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.server.port, 9123);
    assert.equal(config.store.data_dir, '/srv/aintegrix');
    assert.equal(config.store.path, '/db/x.db');
  });

  it('empty values count as unset', () => {
    const { config } = loadConfig({ env: { AINTEGRIX_HOST: '', AINTEGRIX_PORT: '', AINTEGRIX_CONFIG: '' } });
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 8050);
  });

  for (const bad of ['abc', '0', '65536', '80.5', '-1']) {
    it(`AINTEGRIX_PORT=${bad} is an error naming the variable`, () => {
      assert.throws(() => loadConfig({ env: { AINTEGRIX_PORT: bad } }), {
        name: 'ConfigError',
        message: `environment variable AINTEGRIX_PORT: expected a port number from 1 to 65535, got "${bad}"`,
      });
      assert.throws(() => loadConfig({ path: writeYaml('server: {port: 8000}\n'), env: { AINTEGRIX_PORT: bad } }), ConfigError);
    });
  }
});

describe('resolveAuthTokens', () => {
  const file = writeYaml('auth:\n  tokens:\n    - {name: ci, token: "0123456789abcdef"}\n');

  it('returns the configured tokens, plus AINTEGRIX_API_KEY as "api-key" when set', () => {
    const { config } = loadConfig({ path: file, env: { AINTEGRIX_API_KEY: 'test-key' } });
    assert.deepEqual(resolveAuthTokens(config, { AINTEGRIX_API_KEY: 'test-key' }), [
      { name: 'ci', token: '0123456789abcdef' },
      { name: 'api-key', token: 'test-key', scopes: ['read', 'prompt', 'approve', 'admin'] },
    ]);
    assert.deepEqual(resolveAuthTokens(config, {}), [{ name: 'ci', token: '0123456789abcdef' }]);
    assert.deepEqual(resolveAuthTokens(config, { AINTEGRIX_API_KEY: '' }), [{ name: 'ci', token: '0123456789abcdef' }]);
  });

  it('never stores AINTEGRIX_API_KEY in the config', () => {
    const { config } = loadConfig({ env: { AINTEGRIX_API_KEY: 'secret-value-123' } });
    assert.doesNotMatch(JSON.stringify(config), /secret-value-123/);
    assert.deepEqual(resolveAuthTokens(config, {}), []);
  });
});
