#!/usr/bin/env node
// Installs the real third-party ACP agents that `make test-real` runs, into .cache/real-agents/ — a folder of its own
// with its own package.json, so the project's node_modules and package-lock.json are never touched. Idempotent: an
// install that finished with the pinned versions is kept (a stamp written last marks it finished).
// Prints the folder's absolute path as its last line.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

/** Pinned: the version whose offline behaviour is documented in shared/reference/acp-protocol.md §3.2. */
export const REAL_AGENTS = { '@zed-industries/claude-agent-acp': '0.23.1' };

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REAL_AGENTS_DIR = join(root, '.cache', 'real-agents');
const stamp = join(REAL_AGENTS_DIR, 'installed.json');

function installedVersion(name) {
  try {
    return JSON.parse(readFileSync(join(REAL_AGENTS_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function upToDate() {
  if (!existsSync(stamp)) return false;
  try {
    const recorded = JSON.parse(readFileSync(stamp, 'utf8'));
    return Object.entries(REAL_AGENTS).every(([name, version]) => recorded[name] === version && installedVersion(name) === version);
  } catch {
    return false;
  }
}

export function installRealAgents() {
  if (upToDate()) {
    console.log(`real agents: up to date in ${REAL_AGENTS_DIR}`);
    return REAL_AGENTS_DIR;
  }
  const wanted = Object.entries(REAL_AGENTS).map(([n, v]) => `${n}@${v}`).join(', ');
  console.log(`real agents: installing ${wanted} into ${REAL_AGENTS_DIR} (about 85 MB, once) ...`);
  rmSync(stamp, { force: true });
  mkdirSync(REAL_AGENTS_DIR, { recursive: true });
  // Our own package.json makes this folder npm's prefix: nothing is written above it.
  const manifest = { name: 'aintegrix-real-agents', private: true, description: 'written by scripts/install-real-agents.mjs', dependencies: REAL_AGENTS };
  writeFileSync(join(REAL_AGENTS_DIR, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const started = Date.now();
  const r = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error', '--omit=dev'],
    { cwd: REAL_AGENTS_DIR, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`npm install in ${REAL_AGENTS_DIR} failed (exit ${r.status ?? r.signal})`);
  for (const [name, version] of Object.entries(REAL_AGENTS)) {
    const got = installedVersion(name);
    if (got !== version) throw new Error(`${name}: expected ${version} after install, found ${got ?? 'nothing'}`);
  }
  writeFileSync(stamp, JSON.stringify(REAL_AGENTS, null, 2) + '\n');
  console.log(`real agents: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return REAL_AGENTS_DIR;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(installRealAgents());
  } catch (e) {
    console.error(`install-real-agents: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
