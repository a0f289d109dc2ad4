// Locations of compiled entry points, relative to this compiled file (dist/test/helpers/ or .build/<x>/test/helpers/).
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const DEMO_AGENT_ENTRY = fileURLToPath(new URL('../../src/demo-agent/main.js', import.meta.url));
