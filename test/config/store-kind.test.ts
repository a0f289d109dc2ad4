// store.kind and the postgres store's URL: the keys, their defaults and checks, and where the URL comes from
// (AINTEGRIX_STORE_URL, store.url_file, store.url). A URL may hold a password: no message ever repeats it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, formatConfigError, loadConfig, resolveStoreUrl } from '../../src/config/index.js';
import { describePostgresUrl } from '../../src/store/index.js';
import { tempDir, writeYaml } from './helpers.js';

const SECRET_URL = 'postgres://app:s3cr3t-pw@db.example:5433/aintegrix';

function configErrorText(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return formatConfigError(e);
  }
  assert.fail('expected a ConfigError');
}

describe('store.kind', () => {
  it('is sqlite by default, with no URL needed', () => {
    const { config } = loadConfig({ env: {} });
    assert.equal(config.store.kind, 'sqlite');
    assert.equal(resolveStoreUrl(config, { AINTEGRIX_STORE_URL: SECRET_URL }), undefined, 'sqlite ignores the URL');
  });

  it('postgres takes store.url, the mirror path and the poll', () => {
    const file = writeYaml(`store:\n  kind: postgres\n  data_dir: /srv/a\n  url: ${SECRET_URL}\n  poll_secs: 0.5\n`);
    const { config } = loadConfig({ path: file, env: {} });
    assert.equal(config.store.kind, 'postgres');
    assert.equal(config.store.mirror_path, '/srv/a/postgres-mirror.db');
    assert.equal(config.store.poll_secs, 0.5);
    assert.equal(resolveStoreUrl(config, {}), SECRET_URL);
  });

  it('refuses an unknown kind, a URL that is not postgres://, and url together with url_file', () => {
    assert.match(configErrorText(() => loadConfig({ path: writeYaml('store:\n  kind: mysql\n'), env: {} })), /store\.kind/);
    assert.match(configErrorText(() => loadConfig({ path: writeYaml('store:\n  url: http://x\n'), env: {} })), /store\.url: expected a postgres:\/\/ URL/);
    const both = configErrorText(() => loadConfig({ path: writeYaml(`store:\n  kind: postgres\n  url: ${SECRET_URL}\n  url_file: /x\n`), env: {} }));
    assert.match(both, /either url or url_file/);
    assert.doesNotMatch(both, /s3cr3t/);
  });
});

describe('resolveStoreUrl', () => {
  const postgres = (extra = '') => loadConfig({ path: writeYaml(`store:\n  kind: postgres\n${extra}`), env: {} }).config;

  it('reads AINTEGRIX_STORE_URL first, then store.url_file, then store.url', () => {
    const dir = tempDir();
    const file = join(dir, 'store-url');
    writeFileSync(file, `${SECRET_URL}\n`);
    const fromFile = postgres(`  url_file: ${file}\n`);
    assert.equal(fromFile.store.url_file, resolve(file));
    assert.equal(resolveStoreUrl(fromFile, {}), SECRET_URL);
    assert.equal(resolveStoreUrl(fromFile, { AINTEGRIX_STORE_URL: 'postgres://other@h/db' }), 'postgres://other@h/db');
  });

  it('says what is missing or wrong, never the URL itself', () => {
    assert.match(configErrorText(() => resolveStoreUrl(postgres(), {})), /postgres needs a server: set store\.url, store\.url_file or AINTEGRIX_STORE_URL/);
    const bad = configErrorText(() => resolveStoreUrl(postgres(), { AINTEGRIX_STORE_URL: 'mysql://root:s3cr3t-pw@h/db' }));
    assert.match(bad, /AINTEGRIX_STORE_URL: expected a postgres:\/\/ URL/);
    assert.doesNotMatch(bad, /s3cr3t/);
    assert.match(configErrorText(() => resolveStoreUrl(postgres('  url_file: /nonexistent/url\n'), {})), /store URL file \/nonexistent\/url: cannot be read: no such file/);
  });

  it('the log names host, port and database only', () => {
    assert.equal(describePostgresUrl(SECRET_URL), 'db.example:5433/aintegrix');
  });
});
