// `aintegrix config check FILE`: load a config file as `serve` would (schema, ${VAR} expansion, legacy keys,
// cross-checks) without starting anything; the errors with their lines, or what it configures.
import type { Command } from 'commander';
import { printJson } from '../output.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../remote.js';

export function configCommands(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const config = program.command('config').description('configuration files');
  config
    .command('check')
    .description('check a config file as `serve` would load it (exit 3 when it is not valid)')
    .argument('<file>', 'the YAML config file')
    .action((file: string, _o: unknown, c: Command) =>
      run(async () => {
        const json = c.optsWithGlobals<GlobalOptions>().json === true;
        const { loadConfig, formatConfigError, ConfigError } = await import('../../config/index.js');
        try {
          const loaded = loadConfig({ path: file, env: process.env });
          const agents = Object.keys(loaded.config.agents);
          if (json) printJson({ ok: true, file: loaded.source, agents, warnings: loaded.warnings });
          else {
            process.stdout.write(`${loaded.source}: ok (agents: ${agents.join(', ') || 'none'}; listens on ${loaded.config.server.host}:${loaded.config.server.port})\n`);
            for (const w of loaded.warnings) process.stdout.write(`warning: ${w}\n`);
          }
          return EXIT.ok;
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          if (json) printJson({ ok: false, file, error: formatConfigError(e) });
          else process.stderr.write(formatConfigError(e) + '\n');
          return EXIT.bad;
        }
      }),
    );
}
