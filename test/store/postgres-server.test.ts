// The test PostgreSQL server the postgres store and cluster tests run on: it starts from Debian's binaries (as the
// `postgres` user when the tests run as root), and each call gives a database of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase } from '../helpers/postgres.js';

test('the test server gives every caller an empty database of its own', async () => {
  const [a, b] = [await createTestDatabase(), await createTestDatabase()];
  assert.notEqual(a, b);
  const ca = new pg.Client({ connectionString: a });
  const cb = new pg.Client({ connectionString: b });
  await ca.connect();
  await cb.connect();
  try {
    await ca.query('CREATE TABLE marker (n int)');
    await ca.query('INSERT INTO marker VALUES (1)');
    const inA = await ca.query('SELECT n FROM marker');
    assert.deepEqual(inA.rows, [{ n: 1 }]);
    const inB = await cb.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'marker'`);
    assert.deepEqual(inB.rows, [{ n: 0 }], 'the second database does not see the first one');
    const version = await ca.query('SHOW server_version_num');
    assert.ok(Number(version.rows[0].server_version_num) >= 150000, 'PostgreSQL 15 or later');
  } finally {
    await ca.end();
    await cb.end();
  }
});
