// Loads the gateway config: the file named by the caller (--config PATH), else by AINTEGRIX_CONFIG, else the
// embedded default. The YAML document is kept (with a LineCounter) so that every error can name its line.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { buildConfig, locate, throwIfAny, type SourceContext } from './build-config.js';
import { DEFAULT_CONFIG_SOURCE, defaultConfig } from './default-config.js';
import { ConfigError, formatProblem, type ConfigProblem } from './errors.js';
import { expandEnvInValues, isPlainObject, type Env } from './expand-env.js';
import { describeValue } from './issues.js';
import type { AintegrixConfig } from './schema.js';
import { YamlLocator } from './yaml-locator.js';

export const ENV_CONFIG = 'AINTEGRIX_CONFIG';

export interface LoadConfigOptions {
  /** from --config; wins over AINTEGRIX_CONFIG */
  path?: string;
  /** the environment (process.env in production): ${VAR} values, overrides, AINTEGRIX_CONFIG */
  env: Env;
}

export interface LoadedConfig {
  config: AintegrixConfig;
  /** one line each, e.g. `cfg.yaml:4: server.auth: legacy key, ignored: ...` */
  warnings: string[];
  /** the absolute path of the file read, or 'embedded default' */
  source: string;
}

/** Throws ConfigError (one line per problem, the first in `message`) when the config cannot be used. */
export function loadConfig(opts: LoadConfigOptions): LoadedConfig {
  const envPath = opts.env[ENV_CONFIG];
  const file = opts.path ?? (envPath === undefined || envPath === '' ? undefined : envPath);
  if (file === undefined) return { config: defaultConfig(opts.env), warnings: [], source: DEFAULT_CONFIG_SOURCE };

  const { config, warnings } = loadConfigText(readConfigFile(file), file, opts.env);
  return { config, warnings, source: resolve(file) };
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : e instanceof Error ? e.message : String(e);
    throw new ConfigError([{ file, message: `cannot read the config file: ${reason}` }]);
  }
}

/** Parses, expands and validates config text; `file` is only used in messages. Exported for tests and tools. */
export function loadConfigText(text: string, file: string, env: Env): { config: AintegrixConfig; warnings: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const ctx: SourceContext = { file, locator: new YamlLocator(doc, lineCounter) };
  throwIfAny(doc.errors.map((e) => yamlErrorProblem(e, ctx, lineCounter)), ctx);

  const warnings: ConfigProblem[] = doc.warnings.map((w) => ({ line: lineOf(w, lineCounter), file, message: `YAML: ${cleanYamlMessage(w.message)}` }));
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError([{ file, message: `invalid YAML: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  if (tree === null || tree === undefined) {
    tree = {};
    warnings.push({ file, message: 'the file is empty: using the defaults with no agents' });
  }
  if (!isPlainObject(tree)) {
    throw new ConfigError([{ file, line: 1, message: `expected a map of sections (server, agents, ...) at the top level, got ${describeValue(tree)}` }]);
  }

  const expanded = expandEnvInValues(tree, env);
  throwIfAny(expanded.problems, ctx);
  const built = buildConfig(expanded.value as Record<string, unknown>, env, ctx);
  return { config: built.config, warnings: [...locate(warnings, ctx).map(formatProblem), ...built.warnings] };
}

function yamlErrorProblem(e: YAMLError, ctx: SourceContext, lines: LineCounter): ConfigProblem {
  const line = lineOf(e, lines);
  if (e.code === 'DUPLICATE_KEY') {
    const dup = ctx.locator?.duplicateKeyAt(e.pos[0]);
    if (dup !== undefined) {
      const key = String(dup.path[dup.path.length - 1]);
      const first = dup.firstLine === undefined ? '' : ` (first defined at line ${dup.firstLine})`;
      return { file: ctx.file, line, path: dup.path, message: `duplicate key "${key}"${first}` };
    }
  }
  if (e.code === 'MISSING_CHAR' && e.message.includes('quote')) {
    const open = ctx.locator?.unclosedQuoteAt(e.pos[0]);
    if (open !== undefined) {
      return { file: ctx.file, line: open.line, path: open.path, message: `invalid YAML: this quoted string is never closed (it runs to line ${line})` };
    }
  }
  return { file: ctx.file, line, message: `invalid YAML: ${cleanYamlMessage(e.message)}` };
}

function lineOf(e: YAMLError, lines: LineCounter): number {
  return e.linePos?.[0].line ?? lines.linePos(e.pos[0]).line;
}

/** yaml's pretty messages end with " at line N, column M:" and a source excerpt; we give the line ourselves. */
function cleanYamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').split('\n')[0] ?? message;
}
