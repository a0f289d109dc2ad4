#!/usr/bin/env node
// The `aintegrix` command: `aintegrix serve [--config PATH]` runs the gateway; `aintegrix audit ...` audits a
// database file offline.
import { AUDIT_USAGE, audit } from './audit.js';

const USAGE = `usage: aintegrix <command> [options]

commands:
  serve [--config PATH]   run the gateway (config: --config, else AINTEGRIX_CONFIG, else the embedded default)
${AUDIT_USAGE}
  help                    show this text

environment: AINTEGRIX_CONFIG, AINTEGRIX_HOST, AINTEGRIX_PORT, AINTEGRIX_DATA_DIR, AINTEGRIX_API_KEY, AINTEGRIX_LOG_LEVEL`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      // loaded on use: `audit` must not pay for loading the whole gateway (uWS, agents, config)
      return (await import('./serve.js')).serve(rest);
    case 'audit':
      return audit(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`aintegrix: unknown command '${command}'\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`aintegrix: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
