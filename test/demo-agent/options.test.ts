// Flag and env parsing of the demo agent (a pure function, imported from the compiled agent).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, OptionsError, parseOptions } from '../../src/demo-agent/options.js';

describe('demo agent options', () => {
  it('defaults: resume mode, everything offered, no auth, no store', () => {
    assert.deepEqual(parseOptions([], {}), DEFAULT_OPTIONS);
    assert.deepEqual(DEFAULT_OPTIONS, {
      mode: 'resume', fork: true, list: true, close: true, setModel: true, configOptions: true, authRequired: false, usage: true, embeddedContext: true, storeDir: null,
    });
  });

  it('reads env, and flags win over env in both directions', () => {
    const env = { DEMO_AGENT_MODE: 'load', DEMO_AGENT_STORE: '/s', DEMO_AGENT_LIST: '0', DEMO_AGENT_NO_CLOSE: '1', DEMO_AGENT_AUTH_REQUIRED: 'true' };
    assert.deepEqual(parseOptions([], env), { ...DEFAULT_OPTIONS, mode: 'load', storeDir: '/s', list: false, close: false, authRequired: true });
    assert.deepEqual(parseOptions(['--mode=none', '--store', '/t', '--list', '--close', '--no-auth-required', '--no-set-model'], env), {
      ...DEFAULT_OPTIONS, mode: 'none', storeDir: '/t', setModel: false,
    });
  });

  it('--help, and errors for bad flags and values', () => {
    assert.equal(parseOptions(['--no-fork', '--help'], {}), 'help');
    assert.throws(() => parseOptions(['--mode', 'sometimes'], {}), OptionsError);
    assert.throws(() => parseOptions(['--mode'], {}), OptionsError);
    assert.throws(() => parseOptions(['--no-fork=1'], {}), OptionsError);
    assert.throws(() => parseOptions(['--colour'], {}), OptionsError);
    assert.throws(() => parseOptions(['fork'], {}), OptionsError);
    assert.throws(() => parseOptions([], { DEMO_AGENT_FORK: 'perhaps' }), OptionsError);
    assert.throws(() => parseOptions([], { DEMO_AGENT_MODE: 'LOAD' }), OptionsError);
  });
});
