// Token scopes in the config: a list of known scopes per token (an unknown one fails to load, naming its key path),
// all four when the key is absent (with a notice at start), all four for AINTEGRIX_API_KEY; and no route can be
// mounted without declaring its scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfigText, resolveAuthTokens } from '../../src/config/index.js';
import { mountRoutes } from '../../src/http/router.js';
import type { TemplatedApp } from '../../src/http/uws.js';
import { TokenAuthenticator } from '../../src/http/auth.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { TOKEN, startTestGateway } from '../helpers/gateway.js';
import { READER, SCOPED_TOKENS } from './scope-tokens.js';

const token = (scopes: string) => `auth:\n  tokens:\n    - name: ci\n      token: "0123456789abcdef"\n      scopes: ${scopes}\n`;

function loadError(yaml: string): string {
  try {
    loadConfigText(yaml, 'F', {});
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

test('config: an unknown scope, an empty list or a non-list fails to load, naming the key path', () => {
  assert.equal(loadError(token('[read, write]')), 'F:5: auth.tokens[0].scopes[1]: expected one of "read", "prompt", "approve", "admin", got "write"');
  assert.equal(loadError(token('[]')), 'F:5: auth.tokens[0].scopes: expected at least one scope (omit the key for all of them), got a list');
  assert.equal(loadError(token('read')), 'F:5: auth.tokens[0].scopes: expected a list, got "read"');
  assert.deepEqual(loadConfigText(token('[read, read, approve]'), 'F', {}).config.auth.tokens[0]!.scopes, ['read', 'approve']);
});

test('config: without scopes a token holds all four; AINTEGRIX_API_KEY holds all four', () => {
  const { config } = loadConfigText('auth:\n  tokens:\n    - {name: ci, token: "0123456789abcdef"}\n', 'F', {});
  const tokens = resolveAuthTokens(config, { AINTEGRIX_API_KEY: 'test-key' });
  assert.deepEqual(tokens, [
    { name: 'ci', token: '0123456789abcdef' },
    { name: 'api-key', token: 'test-key', scopes: ['read', 'prompt', 'approve', 'admin'] },
  ]);
  const auth = new TokenAuthenticator(tokens);
  assert.deepEqual(auth.verifyToken('0123456789abcdef')?.scopes, ['read', 'prompt', 'approve', 'admin']);
  assert.deepEqual(auth.verifyToken('test-key')?.scopes, ['read', 'prompt', 'approve', 'admin']);
});

test('start: a notice names each token that has no scopes configured, and only those', async (t) => {
  const lines: string[] = [];
  const g = await startTestGateway({ tokens: SCOPED_TOKENS, logger: createLogger({ level: 'info', write: (l) => lines.push(l) }) });
  t.after(() => g.dispose());
  const notices = lines.map((l) => JSON.parse(l) as { msg: string; token?: string }).filter((l) => /no scopes configured/.test(l.msg));
  assert.deepEqual(notices.map((n) => n.token), ['tester', 'other']);
  assert.match(notices[0]!.msg, /holds all of them \(read, prompt, approve, admin\)/);
  assert.ok(!lines.some((l) => l.includes(TOKEN) || l.includes(READER)), 'never a token in the log');
});

test('router: a route that needs a token must declare its scope (fail closed)', () => {
  const app = { any: () => app, get: () => app, post: () => app, put: () => app, patch: () => app, del: () => app } as unknown as TemplatedApp;
  const deps = { authenticator: new TokenAuthenticator([]), logger: silentLogger };
  assert.throws(() => mountRoutes(app, [{ method: 'GET', path: '/api/v1/x', handler: () => ({ status: 200 }) }], deps), /route without a scope: GET \/api\/v1\/x/);
  assert.doesNotThrow(() => mountRoutes(app, [{ method: 'GET', path: '/open', auth: false, handler: () => ({ status: 200 }) }], deps));
});
