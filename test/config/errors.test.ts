// Every invalid config gives its own one-line message: file, line, key path, what was expected and what was found.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, formatConfigError, loadConfig } from '../../src/config/index.js';
import { writeYaml } from './helpers.js';

/** Loads `yaml` from a temp file and returns the ConfigError message with the file path replaced by "F". */
function errorOf(yaml: string, env: Record<string, string> = {}): string {
  const file = writeYaml(yaml);
  try {
    loadConfig({ path: file, env });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'the message is one line');
    return e.message.split(file).join('F');
  }
  assert.fail('expected a ConfigError');
}

describe('invalid configs', () => {
  it('unknown top-level key', () => {
    assert.equal(errorOf('server: {}\nagent:\n  a: {command: x}\n'), 'F:2: agent: unknown key "agent" (did you mean "agents"?)');
    assert.equal(
      errorOf('webhook: {}\n'),
      'F:1: webhook: unknown key "webhook" (did you mean "webhooks"?)',
    );
    assert.equal(
      errorOf('pipelines: []\n'),
      'F:1: pipelines: unknown key "pipelines" (allowed: server, agents, routing, store, auth, permissions, limits, recovery, audit, workspaces, budgets, telemetry, git, webhooks, cluster)',
    );
  });

  it('webhooks: review_agent must be configured, placeholders known, a GitLab token needs its URL', () => {
    const agents = 'agents:\n  a: {command: x}\n';
    assert.match(errorOf(`${agents}webhooks:\n  review_agent: nobody\n`), /webhooks\.review_agent: unknown agent "nobody"/);
    assert.match(errorOf(`${agents}webhooks:\n  prompt_template: "review {titel}"\n`), /webhooks\.prompt_template: unknown placeholder \{titel\}/);
    assert.match(errorOf(`${agents}webhooks:\n  gitlab: {token: abc}\n`), /webhooks\.gitlab\.url: required with webhooks\.gitlab\.token/);
  });

  it('telemetry: the OTLP endpoint is an http(s) URL, header names are checked', () => {
    assert.match(errorOf('telemetry:\n  otlp_endpoint: localhost:4318\n'), /^F:2: telemetry\.otlp_endpoint: expected an http:\/\/ or https:\/\/ URL/);
    assert.match(errorOf('telemetry:\n  otlp_headers: {"bad header": x}\n'), /^F:2: telemetry\.otlp_headers/);
    assert.match(errorOf('telemetry:\n  endpoint: http://x\n'), /^F:2: telemetry\.endpoint: unknown key/);
  });

  it('unknown nested key', () => {
    assert.equal(errorOf('server:\n  port: 8050\n  hots: x\n'), 'F:3: server.hots: unknown key "hots" (did you mean "host"?)');
    assert.equal(
      errorOf('agents:\n  a:\n    command: x\n    max_session: 2\n'),
      'F:4: agents.a.max_session: unknown key "max_session" (did you mean "max_sessions"?)',
    );
    assert.equal(
      errorOf('permissions:\n  rules:\n    - decision: allow\n      tool: x\n'),
      'F:4: permissions.rules[0].tool: unknown key "tool" (allowed: decision, agent, method, kind, path, command)',
    );
  });

  it('wrong type', () => {
    assert.equal(
      errorOf('agents:\n  claude:\n    command: c\n    max_sessions: three\n'),
      'F:4: agents.claude.max_sessions: expected a positive integer, got "three"',
    );
    assert.equal(errorOf('agents:\n  a:\n    command: c\n    args: --acp\n'), 'F:4: agents.a.args: expected a list, got "--acp"');
    assert.equal(errorOf('server:\n  metrics_public: yes\n'), 'F:2: server.metrics_public: expected true or false, got "yes"');
    assert.equal(errorOf('server:\n  host: 3\n'), 'F:2: server.host: expected a host name or IP address, got 3');
    assert.equal(errorOf('agents: [a, b]\n'), 'F:1: agents: expected a map, got a list');
    assert.equal(errorOf('agents:\n'), 'F:1: agents: expected a map, got an empty value');
    assert.equal(errorOf('- a\n'), 'F:1: expected a map of sections (server, agents, ...) at the top level, got a list');
  });

  it('missing command', () => {
    assert.equal(errorOf('agents:\n  ok: {command: x}\n  claude:\n    args: []\n'), 'F:3: agents.claude: missing required key "command"');
    assert.equal(
      errorOf('agents:\n  claude:\n    command: ""\n'),
      'F:3: agents.claude.command: expected a command (a non-empty string), got ""',
    );
  });

  it('duplicate agent', () => {
    assert.equal(
      errorOf('agents:\n  claude:\n    command: a\n  kiro:\n    command: k\n  claude:\n    command: b\n'),
      'F:6: agents.claude: duplicate key "claude" (first defined at line 2)',
    );
  });

  it('bad durability value', () => {
    assert.equal(errorOf('store:\n  durability: durable\n'), 'F:2: store.durability: expected one of "strict", "fast", got "durable"');
  });

  it('invalid port in the environment', () => {
    assert.equal(
      errorOf('server: {port: 8000}\n', { AINTEGRIX_PORT: '80a' }),
      'environment variable AINTEGRIX_PORT: expected a port number from 1 to 65535, got "80a"',
    );
  });

  it('routing to an unknown agent', () => {
    const agents = 'agents:\n  kiro: {command: k}\n  claude: {command: c}\n';
    assert.equal(
      errorOf(`${agents}routing:\n  rules:\n    - match: {keywords: [ui]}\n      agent: copilot\n`),
      'F:7: routing.rules[0].agent: unknown agent "copilot" (configured agents: kiro, claude)',
    );
    assert.equal(errorOf(`${agents}routing:\n  fallback: gemini\n`), 'F:5: routing.fallback: unknown agent "gemini" (configured agents: kiro, claude)');
    assert.equal(
      errorOf('routing:\n  fallback: kiro\n'),
      'F:2: routing.fallback: unknown agent "kiro" (no agents are configured)',
    );
  });

  it('YAML syntax error', () => {
    assert.equal(errorOf('server:\n  host: "127.0.0.1\n  port: 8050\n'), 'F:2: server.host: invalid YAML: this quoted string is never closed (it runs to line 4)');
    assert.equal(errorOf('agents:\n  a:\n\tcommand: x\n'), 'F:3: invalid YAML: Tabs are not allowed as indentation');
    assert.match(errorOf('server: {port: 1\n'), /^F:2: invalid YAML: Flow map .* end with a \}$/);
    assert.match(errorOf('agents:\n  a: b: c\n'), /^F:2: invalid YAML: /);
  });

  it('mixing old and new permission keys', () => {
    assert.equal(
      errorOf('agents: {}\npermissions:\n  default_policy: deny\n  auto_approve: [fs/read_text_file]\n  rules: []\n'),
      'F:2: permissions: mixes legacy keys (default_policy, auto_approve) with new keys (rules); ' +
        'write the policy with default, approval_timeout_secs and rules only',
    );
  });

  it('other invalid values', () => {
    assert.equal(
      errorOf('agents:\n  -bad: {command: x}\n'),
      'F:2: agents["-bad"]: invalid agent name: use letters, digits, "_", "." and "-", start with a letter or digit, at most 64 characters',
    );
    assert.equal(
      errorOf(`agents:\n  ${'a'.repeat(65)}: {command: x}\n`),
      `F:2: agents.${'a'.repeat(65)}: invalid agent name: use letters, digits, "_", "." and "-", start with a letter or digit, at most 64 characters`,
    );
    assert.equal(errorOf('agents:\n  a: {command: x, resume: now}\n'), 'F:2: agents.a.resume: expected one of "lazy", "eager", got "now"');
    assert.equal(errorOf('permissions:\n  default: maybe\n'), 'F:2: permissions.default: expected one of "allow", "deny", "ask", got "maybe"');
    assert.equal(errorOf('server:\n  port: 70000\n'), 'F:2: server.port: expected a port number from 0 to 65535, got 70000');
    assert.equal(errorOf('limits:\n  max_body_bytes: lots\n'), 'F:2: limits.max_body_bytes: expected a size in bytes (an integer >= 1, or e.g. "256KiB", "1MiB"), got "lots"');
    assert.equal(
      errorOf('agents:\n  a:\n    command: x\n    mcp_servers:\n      - {type: ws, name: n}\n'),
      'F:5: agents.a.mcp_servers[0].type: expected "type" to be "stdio" (the default), "http" or "sse", got "ws"',
    );
    assert.equal(
      errorOf('agents:\n  a:\n    command: x\n    mcp_servers:\n      - {type: http, name: n, url: "ftp://x"}\n'),
      'F:5: agents.a.mcp_servers[0].url: expected an http:// or https:// URL, got "ftp://x"',
    );
    assert.equal(
      errorOf('routing:\n  rules:\n    - match: {}\n      agent: a\nagents: {a: {command: x}}\n'),
      'F:3: routing.rules[0].match: expected at least one of keywords, file_patterns, task_type',
    );
  });

  it('auth tokens: length, unique names and tokens, reserved name; the token is never echoed', () => {
    const message = errorOf('auth:\n  tokens:\n    - name: ci\n      token: hunter2\n');
    assert.equal(message, 'F:4: auth.tokens[0].token: expected a token of at least 16 characters, got a string of 7 characters');
    assert.doesNotMatch(message, /hunter2/);
    assert.equal(
      errorOf('auth:\n  tokens:\n    - {name: ci, token: "0123456789abcdef"}\n    - {name: ci, token: "0123456789abcdeg"}\n'),
      'F:4: auth.tokens[1].name: duplicate token name "ci" (also auth.tokens[0])',
    );
    assert.equal(
      errorOf('auth:\n  tokens:\n    - {name: a, token: "0123456789abcdef"}\n    - {name: b, token: "0123456789abcdef"}\n'),
      'F:4: auth.tokens[1].token: same token as auth.tokens[0] (each token must identify one caller)',
    );
    assert.equal(
      errorOf('auth:\n  tokens:\n    - {name: api-key, token: "0123456789abcdef"}\n'),
      'F:3: auth.tokens[0].name: "api-key" is reserved for the AINTEGRIX_API_KEY environment variable',
    );
  });

  it('several problems: the first in file order is the message, all are in problems', () => {
    const file = writeYaml('agents:\n  a:\n    command: x\n    max_sessions: 0\nserver:\n  hots: x\n  port: -1\n');
    try {
      loadConfig({ path: file, env: {} });
      assert.fail('expected a ConfigError');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, `${file}:4: agents.a.max_sessions: expected a positive integer, got 0 (and 2 more problems)`);
      assert.deepEqual(e.problems, [
        `${file}:4: agents.a.max_sessions: expected a positive integer, got 0`,
        `${file}:6: server.hots: unknown key "hots" (did you mean "host"?)`,
        `${file}:7: server.port: expected a port number from 0 to 65535, got -1`,
      ]);
      assert.equal(
        formatConfigError(e),
        e.problems.map((p) => `config error: ${p}`).join('\n'),
      );
    }
  });

  it('formatConfigError renders any error on one line', () => {
    assert.equal(formatConfigError(new Error('boom')), 'config error: boom');
  });
});
