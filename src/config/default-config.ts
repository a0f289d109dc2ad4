// The embedded default config, used when neither --config nor AINTEGRIX_CONFIG names a file: loopback on port
// 8050, one agent "demo" (the bundled demo agent, run by this same node binary), data under ./data.
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { buildConfig } from './build-config.js';
import type { Env } from './expand-env.js';
import type { AintegrixConfig } from './schema.js';

export const DEFAULT_CONFIG_SOURCE = 'embedded default';

/** Absolute path of the compiled demo agent entry, located next to this module's compiled location. */
export function demoAgentEntry(): string {
  return fileURLToPath(new URL('../demo-agent/main.js', import.meta.url));
}

/**
 * The embedded default as a YAML-shaped tree (before defaults and environment overrides). The demo agent keeps its
 * own sessions under the data folder (so a restarted gateway can `session/resume` them) and is restarted when it
 * exits, as a demo should be.
 */
export function embeddedDefaultTree(env: Env = {}): Record<string, unknown> {
  const dataDir = resolve(env.AINTEGRIX_DATA_DIR || './data');
  return {
    server: { host: '127.0.0.1', port: 8050 },
    agents: {
      demo: {
        command: process.execPath,
        args: [demoAgentEntry()],
        auto_restart: true,
        env: { DEMO_AGENT_STORE: join(dataDir, 'demo-agent-sessions') },
      },
    },
    store: { data_dir: './data' },
  };
}

/** The embedded default with the environment overrides (AINTEGRIX_HOST/PORT/DATA_DIR) applied. */
export function defaultConfig(env: Env): AintegrixConfig {
  return buildConfig(embeddedDefaultTree(env), env, { file: DEFAULT_CONFIG_SOURCE }).config;
}
