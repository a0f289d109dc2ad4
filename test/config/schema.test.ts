// Field rules: coercion, empty values, sizes, MCP servers, permission rules, the in-memory store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, toAcpMcpServer } from '../../src/config/index.js';
import { writeYaml } from './helpers.js';
import { DEFAULT_PROTECTED_PATHS } from '../../src/permissions/protected-paths.js';
import { DEFAULT_COMMAND_PATH } from '../../src/workspace/executable.js';

const load = (yaml: string) => loadConfig({ path: writeYaml(yaml), env: {} }).config;

describe('schema', () => {
  it('numeric and boolean fields accept numeric/boolean-looking strings; args and env values accept scalars', () => {
    const config = load('server:\n  port: "9000"\n  metrics_public: "False"\n  prompt_timeout_secs: 0.5\nagents:\n  a:\n    command: x\n    args: [--port, 3000, true]\n    env: {N: 1}\n');
    assert.equal(config.server.port, 9000);
    assert.equal(config.server.metrics_public, false);
    assert.equal(config.server.prompt_timeout_secs, 0.5);
    assert.deepEqual(config.agents['a']?.args, ['--port', '3000', 'true']);
    assert.deepEqual(config.agents['a']?.env, { N: '1' });
  });

  it('an empty value means "not set" for optional fields (default_model: null as in the original)', () => {
    const config = load('agents:\n  a:\n    command: x\n    default_model:\n    prompt_prefix: null\n');
    assert.equal(config.agents['a']?.default_model, undefined);
    assert.equal(config.agents['a']?.prompt_prefix, undefined);
  });

  it('byte sizes accept integers and unit strings', () => {
    const config = load('limits:\n  max_body_bytes: 2MiB\n  max_prompt_bytes: 64 KiB\n  fs_max_read_bytes: 1GB\n  terminal_output_bytes: 4096\n');
    assert.equal(config.limits.max_body_bytes, 2 * 1024 * 1024);
    assert.equal(config.limits.max_prompt_bytes, 64 * 1024);
    assert.equal(config.limits.fs_max_read_bytes, 1e9);
    assert.equal(config.limits.terminal_output_bytes, 4096);
  });

  it('MCP servers: stdio by default, http/sse with headers; converted to ACP shapes', () => {
    const config = load(
      [
        'agents:',
        '  a:',
        '    command: x',
        '    mcp_servers:',
        '      - name: files',
        '        command: npx',
        '        args: [-y, server-files]',
        '        env: {ROOT: /w}',
        '      - type: sse',
        '        name: web',
        '        url: https://mcp.example.com/sse',
        '        headers: {Authorization: Bearer abc}',
        '',
      ].join('\n'),
    );
    const servers = config.agents['a']?.mcp_servers ?? [];
    assert.deepEqual(servers.map(toAcpMcpServer), [
      { name: 'files', command: 'npx', args: ['-y', 'server-files'], env: [{ name: 'ROOT', value: '/w' }] },
      { type: 'sse', name: 'web', url: 'https://mcp.example.com/sse', headers: [{ name: 'Authorization', value: 'Bearer abc' }] },
    ]);
    assert.throws(() => load('agents:\n  a:\n    command: x\n    mcp_servers:\n      - {name: s, command: a}\n      - {name: s, command: b}\n'), /:6: agents\.a\.mcp_servers\[1\]\.name: duplicate MCP server name "s"$/);
    assert.throws(() => load('agents:\n  a:\n    command: x\n    mcp_servers:\n      - {name: s, command: a, url: "http://x"}\n'), /:5: agents\.a\.mcp_servers\[0\]\.url: unknown key "url"/);
  });

  it('permission rules keep their criteria; kinds are ACP tool kinds', () => {
    const config = load('permissions:\n  default: deny\n  approval_timeout_secs: 60\n  rules:\n    - {decision: allow, agent: "claude*", kind: [read, search], path: "/work/**"}\n    - {decision: ask, method: terminal/create, command: "git *"}\n');
    assert.deepEqual(config.permissions, {
      protected_paths: [...DEFAULT_PROTECTED_PATHS], command_path: [...DEFAULT_COMMAND_PATH],
      default: 'deny',
      approval_timeout_secs: 60,
      rules: [
        { decision: 'allow', agent: 'claude*', kind: ['read', 'search'], path: '/work/**' },
        { decision: 'ask', method: 'terminal/create', command: 'git *' },
      ],
    });
  });

  it('store: durability fast, snapshot_every, and :memory: kept as is', () => {
    const config = load('store:\n  durability: fast\n  snapshot_every: 10\n  path: ":memory:"\n');
    assert.deepEqual([config.store.durability, config.store.snapshot_every, config.store.path], ['fast', 10, ':memory:']);
  });

  it('each load returns fresh objects (defaults are not shared between loads)', () => {
    const a = load('agents: {x: {command: c}}\n');
    a.agents['x']?.args.push('mutated');
    const b = load('agents: {x: {command: c}}\n');
    assert.deepEqual(b.agents['x']?.args, []);
  });
});
