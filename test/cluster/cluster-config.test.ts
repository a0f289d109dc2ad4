// The cluster's config keys and the node's identity: a `cluster` section is refused without a postgres store (a
// SQLite gateway is one node) and accepted with it, its keys are validated, and a node's generated id is kept in its data dir.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { clusterSchema } from '../../src/config/cluster-schema.js';
import { advertiseUrl, resolveNodeId } from '../../src/cluster/node-identity.js';
import { writeYaml } from '../config/helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'aintegrix-node-'));
  dirs.push(d);
  return d;
};

describe('cluster config', () => {
  it('no cluster section by default: the SQLite gateway is one node', () => {
    const { config } = loadConfig({ path: writeYaml('server:\n  port: 0\n'), env: {} });
    assert.equal(config.cluster, undefined);
  });

  it('a cluster section with the SQLite store is a config error naming the key', () => {
    assert.throws(
      () => loadConfig({ path: writeYaml('cluster:\n  node_id: n1\n'), env: {} }),
      (e: unknown) => e instanceof ConfigError && /cluster/.test(e.message) && /store\.kind: postgres/.test(e.message),
    );
  });

  it('with the postgres store the section is accepted, with its defaults', () => {
    const { config } = loadConfig({ path: writeYaml('store:\n  kind: postgres\n  url: postgres://u@127.0.0.1/db\ncluster:\n  node_id: n1\n'), env: {} });
    assert.deepEqual(config.cluster, { node_id: 'n1', lease_ttl_secs: 10, heartbeat_secs: 2 });
  });

  it('the keys are validated: node id characters, an http(s) URL, the heartbeat under half the TTL, no unknown key', () => {
    const parse = (v: unknown) => clusterSchema.safeParse(v);
    assert.deepEqual(parse({}).data, { lease_ttl_secs: 10, heartbeat_secs: 2 });
    assert.equal(parse({ node_id: 'a b' }).success, false);
    assert.equal(parse({ advertise_url: 'ftp://x' }).success, false);
    assert.equal(parse({ lease_ttl_secs: 4, heartbeat_secs: 2 }).success, false);
    assert.equal(parse({ lease_ttl_secs: 5, heartbeat_secs: 2 }).success, true);
    assert.equal(parse({ nodes: 3 }).success, false);
  });
});

describe('node identity', () => {
  it('a generated node id is kept in the data dir and found again; a configured one wins', () => {
    const dir = tempDir();
    const id = resolveNodeId(undefined, dir);
    assert.match(id, /^node-[0-9a-f]{12}$/);
    assert.equal(readFileSync(join(dir, 'node-id'), 'utf8').trim(), id);
    assert.equal(resolveNodeId(undefined, dir), id);
    assert.equal(resolveNodeId('n7', dir), 'n7');
    assert.notEqual(resolveNodeId(undefined, tempDir()), id);
  });

  it('a damaged node-id file is an error, not a new identity', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'node-id'), 'not an id!\n');
    assert.throws(() => resolveNodeId(undefined, dir), /node-id does not hold a node id/);
  });

  it('the advertised URL defaults to the listening address (loopback for a wildcard)', () => {
    assert.equal(advertiseUrl(undefined, '10.0.0.5', 8050), 'http://10.0.0.5:8050');
    assert.equal(advertiseUrl(undefined, '0.0.0.0', 8051), 'http://127.0.0.1:8051');
    assert.equal(advertiseUrl(undefined, '::1', 8052), 'http://[::1]:8052');
    assert.equal(advertiseUrl('https://n1.example.com/', '0.0.0.0', 8050), 'https://n1.example.com');
  });
});
