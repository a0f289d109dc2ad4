// The permission policy: which answer (allow, deny, ask) the gateway gives when an agent asks for permission or calls
// a permission-gated client method. No clock, and no I/O but the lookup of a command's program on the fixed command
// path (command-pattern.ts); the broker resolves the subject's real paths first (real-paths.ts) and turns `ask` into a
// pending approval.
//
// The types mirror the `permissions` section of the config (src/config/schema.ts); field names are kept identical so
// the parsed config can be passed in as is.
import { DEFAULT_COMMAND_PATH, findExecutableSync } from '../workspace/executable.js';
import { commandAllowedBy, commandMentionedBy, type CommandToMatch, type ExecutableLookup } from './command-pattern.js';
import { compileCommandGlob, compileGlob } from './glob.js';
import { rulePathForms } from './paths.js';
import { DEFAULT_PROTECTED_PATHS, protectedMatch, writesPaths } from './protected-paths.js';
import { parseShellWords } from './shell-words.js';

export type PolicyDecision = 'allow' | 'deny' | 'ask';

export interface PermissionRule {
  decision: PolicyDecision;
  /** glob on the agent name */
  agent?: string;
  /** glob on the ACP client method the agent called: 'session/request_permission', 'fs/write_text_file', 'terminal/create' */
  method?: string;
  /** ACP tool kinds (read, edit, delete, move, search, execute, think, fetch, switch_mode, other) */
  kind?: string[];
  /** glob on the touched paths: relative to the workspace when inside it, else absolute */
  path?: string;
  /** command pattern: words, the first naming the program, then one glob per argument (command-pattern.ts) */
  command?: string;
}

export interface PermissionPolicyConfig {
  default: PolicyDecision;
  approval_timeout_secs: number;
  rules: PermissionRule[];
  /** path globs an agent may not write unless a rule naming the path says so (default DEFAULT_PROTECTED_PATHS) */
  protected_paths?: readonly string[];
  /** where a command's program is looked up (default DEFAULT_COMMAND_PATH) */
  command_path?: readonly string[];
}

/** What is being asked for, in the terms rules speak (see subject.ts for deriving it from ACP requests). */
export interface PermissionSubject {
  agent: string;
  method: string;
  kind?: string;
  /** absolute, as the agent wrote them (normalised) */
  paths: string[];
  /** the command as text */
  command?: string;
  /**
   * The command's exact argv; null when it cannot be known without a shell (then only deny and ask rules can match
   * it); undefined: read from `command` with the strict shell-word parser.
   */
  argv?: string[] | null;
  /** where the command runs (terminal/create's cwd); the workspace by default */
  cwd?: string;
  workspaceRoot: string;
  title?: string;
  /** the workspace root and `paths` with symlinks resolved (real-paths.ts); rules then decide on these */
  realRoot?: string;
  realPaths?: string[];
}

export type DecisionSource = 'rule' | 'session_rule' | 'default' | 'implicit' | 'protected_path';

export interface PolicyEvaluation {
  decision: PolicyDecision;
  /** the rule that decided (source 'rule' or 'session_rule') */
  rule?: PermissionRule;
  /** its index in the config rules (source 'rule') or in the session rules (source 'session_rule') */
  ruleIndex?: number;
  source: DecisionSource;
  /** the protected_paths glob that denied a write (source 'protected_path') */
  protectedPath?: string;
}

/**
 * Methods that are allowed when no rule matches, whatever `default` says. fs/read_text_file and fs/write_text_file
 * are already confined to the session's workspace by the fs handlers, and an agent that edits files through the
 * client typically asked session/request_permission for that edit just before (which IS governed by `default`);
 * sending every file read through `default: ask` would make agents unusable. So only explicit rules restrict fs
 * access, e.g. `{ decision: deny, method: 'fs/write_text_file', path: 'secrets/**' }`.
 * Every other method (session/request_permission, terminal/create, and anything else a caller chooses to gate, such
 * as terminal/kill) falls back to the configured `default`.
 */
export const IMPLICITLY_ALLOWED_METHODS: ReadonlySet<string> = new Set(['fs/read_text_file', 'fs/write_text_file']);

/** Looks a program up on DEFAULT_COMMAND_PATH (a policy built from a config uses its own command_path). */
export const defaultExecutableLookup: ExecutableLookup = (name, cwd) => findExecutableSync(name, cwd, DEFAULT_COMMAND_PATH);

/**
 * Does `rule` apply to `subject`? Every field the rule sets must match; a rule that sets nothing matches everything.
 *  - agent / method: path-style globs (so `terminal/*` matches `terminal/create`, and `**` matches any method);
 *  - kind: the subject's kind is one of the listed kinds (no kind on the subject, or an empty list → no match);
 *  - command: an allow rule matches the exact argv only, a deny or ask rule also a mention anywhere in the text
 *    (command-pattern.ts); a subject without a command never matches;
 *  - path: a subject without paths never matches. An allow rule decides on the real paths (symlinks resolved) and
 *    needs EVERY path to match (otherwise `allow docs/**` would let an agent move docs/a.md to /etc/passwd); a deny
 *    or ask rule applies when ANY path matches, as written or real.
 */
export function ruleMatches(rule: PermissionRule, subject: PermissionSubject, lookup: ExecutableLookup = defaultExecutableLookup): boolean {
  if (rule.agent !== undefined && !compileGlob(rule.agent)(subject.agent)) return false;
  if (rule.method !== undefined && !compileGlob(rule.method)(subject.method)) return false;
  if (rule.kind !== undefined && (subject.kind === undefined || !rule.kind.includes(subject.kind))) return false;
  if (rule.command !== undefined) {
    const command = commandOf(subject);
    if (command === undefined) return false;
    const matched = rule.decision === 'allow' ? commandAllowedBy(rule.command, command, lookup) : commandMentionedBy(rule.command, command, lookup);
    if (!matched) return false;
  }
  if (rule.path !== undefined) {
    if (subject.paths.length === 0) return false;
    const glob = compileGlob(rule.path);
    const matched =
      rule.decision === 'allow' ? realPathForms(subject).every((forms) => forms.some(glob)) : allPathForms(subject).some(glob);
    if (!matched) return false;
  }
  return true;
}

function commandOf(subject: PermissionSubject): CommandToMatch | undefined {
  if (subject.command === undefined && (subject.argv === undefined || subject.argv === null)) return undefined;
  let argv = subject.argv;
  if (argv === undefined) {
    const parsed = parseShellWords(subject.command!);
    argv = parsed.plain ? parsed.argv : null;
  }
  const root = subject.realRoot ?? subject.workspaceRoot;
  return { text: subject.command, argv, cwd: subject.cwd ?? root, root };
}

/** Per path, the forms an allow rule sees: the real path's (when resolved), else the written one's. */
function realPathForms(subject: PermissionSubject): string[][] {
  if (subject.realPaths === undefined) return subject.paths.map((p) => rulePathForms(subject.workspaceRoot, p));
  const root = subject.realRoot ?? subject.workspaceRoot;
  return subject.realPaths.map((p) => rulePathForms(root, p));
}

/** Every form of every path, written and real: what deny rules, ask rules and protected_paths look at. */
function allPathForms(subject: PermissionSubject): string[] {
  const written = subject.paths.flatMap((p) => rulePathForms(subject.workspaceRoot, p));
  return [...new Set([...written, ...realPathForms(subject).flat()])];
}

export class PermissionPolicy {
  readonly config: PermissionPolicyConfig;
  readonly #lookup: ExecutableLookup;
  readonly #protected: readonly string[];

  /** `lookup` replaces the search of config.command_path (tests). */
  constructor(config: PermissionPolicyConfig, lookup?: ExecutableLookup) {
    this.config = config;
    const commandPath = config.command_path ?? DEFAULT_COMMAND_PATH;
    this.#lookup = lookup ?? ((name, cwd) => findExecutableSync(name, cwd, commandPath));
    this.#protected = config.protected_paths ?? DEFAULT_PROTECTED_PATHS;
    // Compile every glob now (the cache keeps them) so the first request does not pay for it.
    for (const rule of config.rules) {
      if (rule.agent !== undefined) compileGlob(rule.agent);
      if (rule.method !== undefined) compileGlob(rule.method);
      if (rule.path !== undefined) compileGlob(rule.path);
      if (rule.command !== undefined) compileCommandGlob(rule.command);
    }
    for (const glob of this.#protected) compileGlob(glob);
  }

  get approvalTimeoutSecs(): number {
    return this.config.approval_timeout_secs;
  }

  /**
   * First matching rule wins. Session rules (`extraRules`, written when someone chose an `allow_always` /
   * `reject_always` option) are checked before the configured rules; then the configured rules in order; then the
   * fallback: implicit allow for fs reads/writes (see IMPLICITLY_ALLOWED_METHODS), `default` for everything else.
   * A write to a protected path is denied unless the deciding rule names the path (a `path` glob that matched it):
   * neither `default: allow` nor a broad allow rule opens `.git/config`.
   */
  evaluate(subject: PermissionSubject, extraRules: readonly PermissionRule[] = []): PolicyEvaluation {
    const verdict = this.#firstRule(subject, extraRules);
    const guarded = writesPaths(subject.method, subject.kind) ? protectedMatch(this.#protected, allPathForms(subject)) : undefined;
    if (guarded !== undefined && (verdict === undefined || (verdict.rule!.path === undefined && verdict.decision !== 'deny'))) {
      return { decision: 'deny', source: 'protected_path', protectedPath: guarded };
    }
    if (verdict !== undefined) return verdict;
    if (IMPLICITLY_ALLOWED_METHODS.has(subject.method)) return { decision: 'allow', source: 'implicit' };
    return { decision: this.config.default, source: 'default' };
  }

  #firstRule(subject: PermissionSubject, extraRules: readonly PermissionRule[]): PolicyEvaluation | undefined {
    const matches = (rule: PermissionRule): boolean => ruleMatches(rule, subject, this.#lookup);
    const sessionIndex = extraRules.findIndex(matches);
    if (sessionIndex >= 0) {
      const rule = extraRules[sessionIndex]!;
      return { decision: rule.decision, rule, ruleIndex: sessionIndex, source: 'session_rule' };
    }
    const ruleIndex = this.config.rules.findIndex(matches);
    if (ruleIndex < 0) return undefined;
    const rule = this.config.rules[ruleIndex]!;
    return { decision: rule.decision, rule, ruleIndex, source: 'rule' };
  }
}

export { subjectFromPermissionRequest, subjectFromClientCall } from './subject.js';
