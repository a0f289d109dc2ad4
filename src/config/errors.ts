// Config errors: every problem is rendered as ONE line that names the file, the line (when known), the key path
// and what was expected, e.g. `config.yaml:14: agents.claude.max_sessions: expected a positive integer, got "three"`.

/** A path into the config tree: map keys and list indexes. */
export type KeyPath = readonly (string | number)[];

export interface ConfigProblem {
  /** the config file as the user named it; absent for problems that are not in a file (environment variables) */
  file?: string;
  /** 1-based line in `file` */
  line?: number;
  /** where in the config tree; rendered as `agents.claude.max_sessions` */
  path?: KeyPath;
  /** replaces `path` when the problem is not at a key, e.g. `environment variable AINTEGRIX_PORT` */
  subject?: string;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['agents', 'claude', 'env', 'A.B']` → `agents.claude.env["A.B"]`; list indexes become `[2]`. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function formatProblem(p: ConfigProblem): string {
  const location = p.file === undefined ? '' : p.line === undefined ? `${p.file}: ` : `${p.file}:${p.line}: `;
  const where = p.subject ?? (p.path !== undefined && p.path.length > 0 ? formatKeyPath(p.path) : undefined);
  return `${location}${where === undefined ? '' : `${where}: `}${p.message}`;
}

/**
 * Thrown by `loadConfig`/`defaultConfig`. `message` is the first problem (in file order) as one line, with a count
 * of the others; `problems` holds every problem, one line each, for a CLI that wants to show them all.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  readonly details: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map(formatProblem);
    const more = lines.length > 1 ? ` (and ${lines.length - 1} more problem${lines.length > 2 ? 's' : ''})` : '';
    super(`${lines[0] ?? 'invalid configuration'}${more}`);
    this.problems = lines;
    this.details = problems;
  }
}

/**
 * The text a CLI prints when loading the config failed: every problem on its own line, prefixed with
 * `config error: `. Any other error is rendered the same way from its message.
 */
export function formatConfigError(e: unknown): string {
  if (e instanceof ConfigError) return e.problems.map((line) => `config error: ${line}`).join('\n');
  const message = e instanceof Error ? e.message : String(e);
  return `config error: ${message}`;
}
