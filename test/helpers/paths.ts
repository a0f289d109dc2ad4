// Locations of compiled entry points, relative to this compiled file (dist/test/helpers/ or .build/<x>/test/helpers/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const DEMO_AGENT_ENTRY = fileURLToPath(new URL('../../src/demo-agent/main.js', import.meta.url));
/** The repository's root: the first folder upwards from this compiled file that holds package.json. */
export const REPO_ROOT = findUp(dirname(fileURLToPath(import.meta.url)));

function findUp(dir: string): string {
  if (existsSync(join(dir, 'package.json'))) return dir;
  const up = dirname(dir);
  if (up === dir) throw new Error('no package.json above the compiled tests');
  return findUp(up);
}
