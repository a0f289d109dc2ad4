// Where the compiled pieces are. The bench is compiled with the rest of the project and keeps the src/ + bench/
// layout under any outDir, so everything is found relative to this file, never by a hard-coded dist/ path.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

/** `aintegrix` CLI entry (compiled). */
export const GATEWAY_MAIN = here('../../src/cli/main.js');
/** The bundled demo ACP agent (compiled). */
export const DEMO_AGENT_MAIN = here('../../src/demo-agent/main.js');

/** A compiled script of the bench, e.g. `baselines/uws-hello.js`. */
export function benchScript(rel: string): string {
  return here(`../${rel}`);
}

/** The project folder (where package.json names the project), for bench/results.json. */
export function projectRoot(): string {
  let dir = dirname(here('.'));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'aintegrix') return dir;
      } catch {
        /* not ours: keep walking up */
      }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
