// The original's legacy keys: accepted with one warning each that names the replacement; the old permissions
// block becomes the new policy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { writeYaml } from './helpers.js';
import { DEFAULT_PROTECTED_PATHS } from '../../src/permissions/protected-paths.js';
import { DEFAULT_COMMAND_PATH } from '../../src/workspace/executable.js';

function load(yaml: string): ReturnType<typeof loadConfig> & { file: string } {
  const file = writeYaml(yaml);
  return { ...loadConfig({ path: file, env: {} }), file };
}

describe('legacy keys', () => {
  it('server.auth is ignored with a warning; a different token_env is called out', () => {
    const { config, warnings, file } = load('server:\n  port: 8050\n  auth:\n    type: bearer\n    token_env: MY_KEY\n');
    assert.deepEqual(warnings, [
      `${file}:3: server.auth: legacy key, ignored: configure auth.tokens, or set the AINTEGRIX_API_KEY environment variable (token_env "MY_KEY" is not read)`,
    ]);
    assert.deepEqual(config.auth.tokens, []);
  });

  it('persistence.path becomes store.path unless store.path is set', () => {
    const honoured = load('persistence:\n  path: /var/lib/aintegrix-old/old.db\n');
    assert.equal(honoured.config.store.path, '/var/lib/aintegrix-old/old.db');
    assert.deepEqual(honoured.warnings, [`${honoured.file}:2: persistence.path: legacy key: use store.path (its value is used as store.path)`]);

    const ignored = load('store:\n  path: /var/lib/aintegrix-new/new.db\npersistence:\n  path: /var/lib/aintegrix-old/old.db\n');
    assert.equal(ignored.config.store.path, '/var/lib/aintegrix-new/new.db');
    assert.deepEqual(ignored.warnings, [`${ignored.file}:4: persistence.path: legacy key, ignored because store.path is set`]);
  });

  it('persistence only knows path', () => {
    assert.throws(() => load('persistence:\n  path: /x.db\n  pool: 5\n'), (e: unknown) =>
      e instanceof ConfigError && /:3: persistence\.pool: unknown key "pool" \(the legacy persistence block only has path; use store\)$/.test(e.message));
  });

  it('logging is ignored with a warning naming what replaces the level', () => {
    const { warnings, file } = load('logging:\n  level: debug\n');
    assert.deepEqual(warnings, [
      `${file}:1: logging: legacy key, ignored: logs are always JSON lines on stderr; set the level with the AINTEGRIX_LOG_LEVEL environment variable`,
    ]);
  });

  it('the old permissions block is translated in precedence order', () => {
    const { config, warnings, file } = load(
      [
        'permissions:',
        '  require_approval: [terminal/create]',
        '  auto_approve: [fs/read_text_file, fs/write_text_file]',
        '  always_deny: [terminal/kill]',
        '  default_policy: approve',
        '',
      ].join('\n'),
    );
    assert.deepEqual(config.permissions, {
      protected_paths: [...DEFAULT_PROTECTED_PATHS], command_path: [...DEFAULT_COMMAND_PATH],
      default: 'allow',
      approval_timeout_secs: 300,
      rules: [
        { decision: 'deny', method: 'terminal/kill' },
        { decision: 'allow', method: 'fs/read_text_file' },
        { decision: 'allow', method: 'fs/write_text_file' },
        { decision: 'ask', method: 'terminal/create' },
      ],
    });
    assert.equal(warnings.length, 1);
    assert.equal(
      warnings[0],
      `${file}:1: permissions: legacy policy (default_policy, auto_approve, require_approval, always_deny) translated to ` +
        'default: allow, rules: deny terminal/kill, allow fs/read_text_file, allow fs/write_text_file, ask terminal/create; ' +
        'write it as permissions.default and permissions.rules',
    );
  });

  it('default_policy allow → allow; anything else (or none) → deny', () => {
    assert.equal(load('permissions: {default_policy: allow}\n').config.permissions.default, 'allow');
    assert.equal(load('permissions: {default_policy: whatever}\n').config.permissions.default, 'deny');
    assert.equal(load('permissions: {auto_approve: [fs/read_text_file]}\n').config.permissions.default, 'deny');
  });

  it('bad entries in the old lists are errors at their line', () => {
    assert.throws(() => load('permissions:\n  auto_approve:\n    - fs/read_text_file\n    - 3\n'), (e: unknown) =>
      e instanceof ConfigError && /:4: permissions\.auto_approve\[1\]: expected an ACP method name \(e\.g\. fs\/read_text_file\), got 3$/.test(e.message));
    assert.throws(() => load('permissions:\n  always_deny: terminal/kill\n'), (e: unknown) =>
      e instanceof ConfigError && /:2: permissions\.always_deny: expected a list of ACP method names, got "terminal\/kill"$/.test(e.message));
    assert.throws(() => load('permissions:\n  default_policy: deny\n  mode: strict\n'), (e: unknown) =>
      e instanceof ConfigError && /:3: permissions\.mode: unknown key "mode"/.test(e.message));
  });
});
