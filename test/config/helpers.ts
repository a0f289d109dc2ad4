// Shared by the config tests: temp dirs with YAML files, and the repository root (for fixtures and samples).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'aintegrix-config-'));
  dirs.push(d);
  return d;
}

/** Writes `text` to `<fresh temp dir>/<name>` and returns the file's path. */
export function writeYaml(text: string, name = 'config.yaml'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

/** The repository root: the nearest ancestor of this compiled file whose package.json is aintegrix's. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'aintegrix') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
}

export const fixture = (name: string): string => join(repoRoot(), 'test', 'config', 'fixtures', name);
export const sample = (name: string): string => join(repoRoot(), 'samples', name);
