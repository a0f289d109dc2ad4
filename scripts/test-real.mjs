#!/usr/bin/env node
// `make test-real`: installs the pinned real agents into .cache/real-agents/ (once), then runs the compiled
// real-agent tests (dist/test-real/*.real.js) with node's own test runner. They are kept out of `make test` because
// they need that install and start real agent processes against a fake model server.
// Arguments narrow the set like run-tests.mjs: `node scripts/test-real.mjs restart`.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { installRealAgents } from './install-real-agents.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

let agentsDir;
try {
  agentsDir = installRealAgents();
} catch (e) {
  console.error(`test-real: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

const testDir = join(root, 'dist', 'test-real');
const filters = process.argv.slice(2);
const files = existsSync(testDir)
  ? readdirSync(testDir)
      .filter((f) => f.endsWith('.real.js'))
      .sort()
      .map((f) => join(testDir, f))
      .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  : [];
if (files.length === 0) {
  console.error(`test-real: no compiled real-agent tests match ${filters.join(', ') || '(all)'} in ${testDir} (run make build)`);
  process.exit(1);
}
console.log(`test-real: ${files.length} file(s) against ${agentsDir}`);
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, AINTEGRIX_REAL_AGENTS_DIR: agentsDir },
});
console.log(`test-real: ${r.status === 0 ? 'passed' : 'FAILED'} in ${seconds()} s`);
process.exit(r.status ?? 1);
