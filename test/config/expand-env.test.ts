// ${VAR} expansion: values only, after parsing; defaults; escapes; errors naming the variable, key path and line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, expandString, loadConfig } from '../../src/config/index.js';
import { writeYaml } from './helpers.js';

describe('expandString', () => {
  const env = { A: 'alpha', EMPTY: '' };
  it('replaces ${VAR} and ${VAR:-default}', () => {
    assert.equal(expandString('x-${A}-y', env), 'x-alpha-y');
    assert.equal(expandString('${A:-d}', env), 'alpha');
    assert.equal(expandString('${MISSING:-d e f}', env), 'd e f');
    assert.equal(expandString('${EMPTY:-d}', env), 'd');
    assert.equal(expandString('${EMPTY}', env), '');
    assert.equal(expandString('${MISSING:-}', env), '');
    assert.equal(expandString('${A}${A}', env), 'alphaalpha');
  });
  it('keeps $${ as a literal ${ and a lone $ as is', () => {
    assert.equal(expandString('$${A}', env), '${A}');
    assert.equal(expandString('cost: $5, $A, $$', env), 'cost: $5, $A, $$');
  });
  it('rejects unset variables, bad names and unterminated references', () => {
    assert.throws(() => expandString('${MISSING}', env), /environment variable MISSING is not set/);
    assert.throws(() => expandString('${1A}', env), /invalid variable reference "\$\{1A\}"/);
    assert.throws(() => expandString('${A-x}', env), /invalid variable reference/);
    assert.throws(() => expandString('abc ${A', env), /unterminated "\$\{"/);
  });
});

describe('expansion in a config file', () => {
  it('expands values, with defaults, in lists and maps', () => {
    const file = writeYaml(
      [
        'agents:',
        '  a:',
        '    command: ${BIN_DIR}/agent',
        '    args: ["--model=${MODEL:-small}", "${FLAG}"]',
        '    env:',
        '      TOKEN: ${TOKEN}',
        '',
      ].join('\n'),
    );
    const { config } = loadConfig({ path: file, env: { BIN_DIR: '/opt/bin', FLAG: '--fast', TOKEN: 't0k' } });
    assert.equal(config.agents['a']?.command, '/opt/bin/agent');
    assert.deepEqual(config.agents['a']?.args, ['--model=small', '--fast']);
    assert.deepEqual(config.agents['a']?.env, { TOKEN: 't0k' });
  });

  it('coerces an expanded number for a numeric field: port via ${PORT:-8050}', () => {
    const file = writeYaml('server:\n  port: ${PORT:-8050}\n  metrics_public: ${PUBLIC:-false}\n');
    assert.equal(loadConfig({ path: file, env: {} }).config.server.port, 8050);
    assert.equal(loadConfig({ path: file, env: {} }).config.server.metrics_public, false);
    assert.equal(loadConfig({ path: file, env: { PORT: '9001', PUBLIC: 'true' } }).config.server.port, 9001);
    assert.equal(loadConfig({ path: file, env: { PUBLIC: 'true' } }).config.server.metrics_public, true);
    assert.throws(
      () => loadConfig({ path: file, env: { PORT: 'eighty' } }),
      { message: `${file}:2: server.port: expected a port number from 0 to 65535, got "eighty"` },
    );
  });

  it('an unset variable without default is an error naming the variable, key path and line', () => {
    const file = writeYaml('server:\n  port: 8050\nagents:\n  claude:\n    command: c\n    env:\n      ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY}\n');
    assert.throws(() => loadConfig({ path: file, env: {} }), {
      name: 'ConfigError',
      message:
        `${file}:7: agents.claude.env.ANTHROPIC_API_KEY: environment variable ANTHROPIC_API_KEY is not set ` +
        '(write ${ANTHROPIC_API_KEY:-default} to give a default)',
    });
  });

  it('does not expand comments or keys', () => {
    const file = writeYaml(
      [
        '# ${UNSET_IN_COMMENT} is never looked at',
        'agents:',
        '  a:',
        '    command: run # trailing ${ALSO_UNSET}',
        '    env:',
        '      ${KEY}: value',
        '',
      ].join('\n'),
    );
    const { config } = loadConfig({ path: file, env: { KEY: 'EXPANDED' } });
    assert.deepEqual(config.agents['a']?.env, { '${KEY}': 'value' });
    assert.equal(config.agents['a']?.command, 'run');
  });

  it('an expanded value never changes the document structure', () => {
    const file = writeYaml('agents:\n  a:\n    command: ${CMD}\n');
    const tricky = 'x\nserver: {port: 1}\n- y: [';
    const { config } = loadConfig({ path: file, env: { CMD: tricky } });
    assert.equal(config.agents['a']?.command, tricky);
    assert.equal(config.server.port, 8050);
  });

  it('$${ gives a literal ${ in a value', () => {
    const file = writeYaml('agents:\n  a:\n    command: sh\n    args: [-c, "echo $${HOME}"]\n');
    assert.deepEqual(loadConfig({ path: file, env: { HOME: '/root' } }).config.agents['a']?.args, ['-c', 'echo ${HOME}']);
  });

  it('reports every bad reference, each at its line', () => {
    const file = writeYaml('agents:\n  a:\n    command: ${NO_CMD}\n    args: ["${NO_ARG}", "${bad"]\n');
    try {
      loadConfig({ path: file, env: {} });
      assert.fail('expected a ConfigError');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.problems, [
        `${file}:3: agents.a.command: environment variable NO_CMD is not set (write \${NO_CMD:-default} to give a default)`,
        `${file}:4: agents.a.args[0]: environment variable NO_ARG is not set (write \${NO_ARG:-default} to give a default)`,
        `${file}:4: agents.a.args[1]: unterminated "\${" (write "$\${" for a literal "\${")`,
      ]);
      assert.match(e.message, /\(and 2 more problems\)$/);
    }
  });
});
