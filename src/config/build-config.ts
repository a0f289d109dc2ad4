// The pipeline shared by a config file and the embedded default, once the tree is parsed and ${VAR}-expanded:
// legacy keys → environment overrides → schema (defaults, strictness) → cross-checks. Every problem found on the
// way is located (file, line, key path) and thrown together as one ConfigError.
import { crossCheck } from './cross-check.js';
import { ConfigError, formatProblem, type ConfigProblem } from './errors.js';
import { applyEnvOverrides } from './env-overrides.js';
import type { Env } from './expand-env.js';
import { problemsFromIssues } from './issues.js';
import { translateLegacy } from './legacy.js';
import { configSchema, type AintegrixConfig } from './schema.js';
import type { YamlLocator } from './yaml-locator.js';

export interface SourceContext {
  /** the file as the user named it, or a description such as "embedded default" */
  file: string;
  locator?: YamlLocator;
}

export interface BuiltConfig {
  config: AintegrixConfig;
  warnings: string[];
}

/** Adds file and line to problems that are about a key of the source (not to environment-variable problems). */
export function locate(problems: readonly ConfigProblem[], ctx: SourceContext): ConfigProblem[] {
  const located = problems.map((p) => {
    if (p.subject !== undefined || p.file !== undefined) return p;
    const line = p.line ?? (p.path !== undefined ? ctx.locator?.lineOf(p.path) : undefined);
    return { ...p, file: ctx.file, line };
  });
  // Report in file order: the first line of the file that is wrong comes first.
  return located
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.i - b.i)
    .map(({ p }) => p);
}

export function throwIfAny(problems: readonly ConfigProblem[], ctx: SourceContext): void {
  if (problems.length > 0) throw new ConfigError(locate(problems, ctx));
}

export function buildConfig(tree: Record<string, unknown>, env: Env, ctx: SourceContext): BuiltConfig {
  const legacy = translateLegacy(tree);
  const overridden = applyEnvOverrides(legacy.config, env);
  throwIfAny([...legacy.problems, ...overridden.problems], ctx);

  const parsed = configSchema.safeParse(overridden.config);
  if (!parsed.success) {
    throw new ConfigError(locate(problemsFromIssues(parsed.error.issues, overridden.config, configSchema), ctx));
  }

  throwIfAny(crossCheck(parsed.data), ctx);
  return { config: parsed.data, warnings: locate(legacy.warnings, ctx).map(formatProblem) };
}
