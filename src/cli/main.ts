#!/usr/bin/env node
// The `aintegrix` command: `serve` runs the gateway; the client commands talk to a running one (--url / AINTEGRIX_URL,
// --token / AINTEGRIX_TOKEN) through the typed client; `audit` also works offline on a database file; `config check`
// checks a config file. Parsed by commander; every command ends with one of the exit codes of exit-codes.ts.
import { Command, CommanderError } from 'commander';
import { AUDIT_USAGE, auditCommands } from './audit.js';
import { EXIT } from './exit-codes.js';
import { asCliError } from './remote.js';
import { sessionCommands } from './commands/sessions.js';
import { promptCommand } from './commands/prompt.js';
import { approvalCommands } from './commands/approvals.js';
import { eventsCommand } from './commands/events.js';
import { statusCommands } from './commands/status.js';
import { multiAgentCommands } from './commands/multiagent.js';
import { configCommands } from './commands/config.js';

const MORE_HELP = `
Offline audit of a database file:
${AUDIT_USAGE}

Environment: AINTEGRIX_URL, AINTEGRIX_TOKEN (client commands; AINTEGRIX_API_KEY is taken as the token too);
AINTEGRIX_CONFIG, AINTEGRIX_HOST, AINTEGRIX_PORT, AINTEGRIX_DATA_DIR, AINTEGRIX_API_KEY, AINTEGRIX_LOG_LEVEL (serve).

Exit codes: 0 done; 1 the gateway refused or failed the request, or a turn failed; 2 bad command line;
3 not intact (audit verify: the log is broken; config check: the config is invalid); 4 the gateway cannot be reached;
5 the token was refused (401) or lacks the scope (403); 130 interrupted.`;

let exitCode: number = EXIT.ok;

/** Runs a command's action: its exit code, or its error printed on stderr with the exit code it maps to. */
async function run(action: () => Promise<number>): Promise<void> {
  try {
    exitCode = await action();
  } catch (e) {
    const err = asCliError(e);
    process.stderr.write(`aintegrix: ${err.message}\n`);
    exitCode = err.code;
  }
}

function program(): Command {
  const p = new Command('aintegrix')
    .description('aintegrix: ACP coding agents behind REST, WebSocket, SSE and MCP, every step in an append-only log')
    .option('--url <url>', 'the gateway of the client commands (default: AINTEGRIX_URL)')
    .option('--token <token>', 'its API token (default: AINTEGRIX_TOKEN)')
    .option('--json', 'print JSON for scripts (streams: one JSON value per line)')
    .showHelpAfterError('(aintegrix help for the commands)')
    .exitOverride()
    .addHelpText('after', MORE_HELP);
  p.command('serve')
    .description('run the gateway (config: --config, else AINTEGRIX_CONFIG, else the embedded default)')
    .option('--config <path>', 'the YAML config file')
    .action((o: { config?: string }) =>
      run(async () => {
        // loaded on use: the client commands must not pay for loading the whole gateway (uWS, agents, config)
        const code = await (await import('./serve.js')).serve(o);
        keepRunning = code === 0;
        return code;
      }),
    );
  statusCommands(p, run);
  sessionCommands(p, run);
  promptCommand(p, run);
  approvalCommands(p, run);
  eventsCommand(p, run);
  multiAgentCommands(p, run);
  auditCommands(p, run);
  configCommands(p, run);
  return p;
}

let keepRunning = false;

async function main(argv: string[]): Promise<number> {
  const p = program();
  if (argv.length === 0) {
    p.outputHelp();
    return EXIT.usage;
  }
  try {
    await p.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    throw e;
  }
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    // a gateway that started keeps the process alive; everything else ends with its code once its output is out
    if (!keepRunning) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`aintegrix: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.failed;
  },
);
