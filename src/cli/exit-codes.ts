// The exit codes of `aintegrix` (README "Command line"): scripts branch on them.
export const EXIT = {
  /** done */
  ok: 0,
  /** the gateway refused or failed the request (its error code is printed), a turn failed, a file could not be read */
  failed: 1,
  /** a bad command line (unknown command or option, a missing or bad argument) */
  usage: 2,
  /** what was checked is not intact: `audit verify` found the log broken, `config check` found the config invalid */
  bad: 3,
  /** the gateway could not be reached (connection refused, DNS, TLS) */
  unreachable: 4,
  /** the token was refused (401) or lacks the scope (403) */
  auth: 5,
  /** interrupted (Ctrl-C) */
  interrupted: 130,
} as const;

/** A failure that ends the command with `code` after printing `message` on stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
