// The permission policy: which answer (allow, deny, ask) the gateway gives when an agent asks for permission or calls
// a permission-gated client method. Pure: no I/O, no clock; the broker turns `ask` into a pending approval.
//
// The types mirror the `permissions` section of the config (src/config/schema.ts); field names are kept identical so
// the parsed config can be passed in as is.
import { compileCommandGlob, compileGlob } from './glob.js';
import { rulePathForms } from './paths.js';

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
  /** command glob ('/' is not special: `git *` matches `git log`) */
  command?: string;
}

export interface PermissionPolicyConfig {
  default: PolicyDecision;
  approval_timeout_secs: number;
  rules: PermissionRule[];
}

/** What is being asked for, in the terms rules speak (see subject.ts for deriving it from ACP requests). */
export interface PermissionSubject {
  agent: string;
  method: string;
  kind?: string;
  /** absolute */
  paths: string[];
  command?: string;
  workspaceRoot: string;
  title?: string;
}

export type DecisionSource = 'rule' | 'session_rule' | 'default' | 'implicit';

export interface PolicyEvaluation {
  decision: PolicyDecision;
  /** the rule that decided (source 'rule' or 'session_rule') */
  rule?: PermissionRule;
  /** its index in the config rules (source 'rule') or in the session rules (source 'session_rule') */
  ruleIndex?: number;
  source: DecisionSource;
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

/**
 * Does `rule` apply to `subject`? Every field the rule sets must match; a rule that sets nothing matches everything.
 *  - agent / method: path-style globs (so `terminal/*` matches `terminal/create`, and `**` matches any method);
 *  - kind: the subject's kind is one of the listed kinds (no kind on the subject, or an empty list → no match);
 *  - command: command glob on the subject's command (no command → no match);
 *  - path: a subject without paths never matches. With several paths (a move, say), a `deny` or `ask` rule applies
 *    when ANY path matches, but an `allow` rule only when EVERY path matches: otherwise `allow docs/**` would let an
 *    agent move docs/a.md to /etc/passwd. With one path (the usual case) both readings agree.
 */
export function ruleMatches(rule: PermissionRule, subject: PermissionSubject): boolean {
  if (rule.agent !== undefined && !compileGlob(rule.agent)(subject.agent)) return false;
  if (rule.method !== undefined && !compileGlob(rule.method)(subject.method)) return false;
  if (rule.kind !== undefined && (subject.kind === undefined || !rule.kind.includes(subject.kind))) return false;
  if (rule.command !== undefined && (subject.command === undefined || !compileCommandGlob(rule.command)(subject.command))) {
    return false;
  }
  if (rule.path !== undefined) {
    if (subject.paths.length === 0) return false;
    const glob = compileGlob(rule.path);
    const pathMatches = (p: string): boolean => rulePathForms(subject.workspaceRoot, p).some(glob);
    const matched = rule.decision === 'allow' ? subject.paths.every(pathMatches) : subject.paths.some(pathMatches);
    if (!matched) return false;
  }
  return true;
}

function firstMatch(rules: readonly PermissionRule[], subject: PermissionSubject): number {
  return rules.findIndex((rule) => ruleMatches(rule, subject));
}

export class PermissionPolicy {
  readonly config: PermissionPolicyConfig;

  constructor(config: PermissionPolicyConfig) {
    this.config = config;
    // Compile every glob now (the cache keeps them) so the first request does not pay for it.
    for (const rule of config.rules) {
      if (rule.agent !== undefined) compileGlob(rule.agent);
      if (rule.method !== undefined) compileGlob(rule.method);
      if (rule.path !== undefined) compileGlob(rule.path);
      if (rule.command !== undefined) compileCommandGlob(rule.command);
    }
  }

  get approvalTimeoutSecs(): number {
    return this.config.approval_timeout_secs;
  }

  /**
   * First matching rule wins. Session rules (`extraRules`, written when someone chose an `allow_always` /
   * `reject_always` option) are checked before the configured rules; then the configured rules in order; then the
   * fallback: implicit allow for fs reads/writes (see IMPLICITLY_ALLOWED_METHODS), `default` for everything else.
   */
  evaluate(subject: PermissionSubject, extraRules: readonly PermissionRule[] = []): PolicyEvaluation {
    const sessionIndex = firstMatch(extraRules, subject);
    if (sessionIndex >= 0) {
      const rule = extraRules[sessionIndex]!;
      return { decision: rule.decision, rule, ruleIndex: sessionIndex, source: 'session_rule' };
    }
    const ruleIndex = firstMatch(this.config.rules, subject);
    if (ruleIndex >= 0) {
      const rule = this.config.rules[ruleIndex]!;
      return { decision: rule.decision, rule, ruleIndex, source: 'rule' };
    }
    if (IMPLICITLY_ALLOWED_METHODS.has(subject.method)) return { decision: 'allow', source: 'implicit' };
    return { decision: this.config.default, source: 'default' };
  }
}

export { subjectFromPermissionRequest, subjectFromClientCall } from './subject.js';
