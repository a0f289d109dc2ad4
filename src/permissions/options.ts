// Answering a session/request_permission: pick one of the options the agent offered (never an invented optionId,
// ACP §1.4), and the session rule an "always" answer leaves behind.
import { resolve } from 'node:path';
import { runnerReason } from './command-runners.js';
import { escapeGlob } from './glob.js';
import { rulePathOf } from './paths.js';
import type { PermissionRule, PermissionSubject } from './policy.js';
import { parseShellWords, quotePatternWord } from './shell-words.js';

export type PermissionOptionKind = 'allow_once' | 'allow_always' | 'reject_once' | 'reject_always';

/** An option as the agent sent it; `kind` is a string because agents may send kinds we do not know. */
export interface PermissionOptionLike {
  optionId: string;
  name?: string;
  kind: string;
}

export type PermissionOutcome = { outcome: 'selected'; optionId: string } | { outcome: 'cancelled' };

// The wanted kind first, then the closest kind with the same effect; never crosses from allow to reject or back.
const PREFERENCES: Readonly<Record<PermissionOptionKind, readonly PermissionOptionKind[]>> = {
  allow_once: ['allow_once', 'allow_always'],
  allow_always: ['allow_always', 'allow_once'],
  reject_once: ['reject_once', 'reject_always'],
  reject_always: ['reject_always', 'reject_once'],
};

/**
 * The option that carries out `decision`: the first offered option of the preferred kind, else of the fallback kind
 * (allow_once ↔ allow_always, reject_once ↔ reject_always); `cancelled` when nothing fits (no options at all, or only
 * options of the opposite effect). Entries without a string optionId are ignored (agents are untrusted input).
 */
export function chooseOption(
  options: readonly PermissionOptionLike[] | null | undefined,
  decision: PermissionOptionKind,
): PermissionOutcome {
  const usable = (options ?? []).filter((o) => typeof o?.optionId === 'string' && typeof o.kind === 'string');
  for (const kind of PREFERENCES[decision]) {
    const option = usable.find((o) => o.kind === kind);
    if (option !== undefined) return { outcome: 'selected', optionId: option.optionId };
  }
  return { outcome: 'cancelled' };
}

/** A policy decision reached without a human applies to this one request only. */
export function policyToDecision(decision: 'allow' | 'deny'): 'allow_once' | 'reject_once' {
  return decision === 'allow' ? 'allow_once' : 'reject_once';
}

/**
 * The session-scoped rule that an `allow_always` (→ allow) or `reject_always` (→ deny) answer writes, to be passed as
 * `extraRules` to PermissionPolicy.evaluate for the rest of the session. It is deliberately narrow:
 *  - agent and method: exactly the subject's (glob-escaped);
 *  - kind: exactly the subject's kind, when it has one;
 *  - then exactly the command when there is one (a later `git log --all` is not covered by `git log`; an allow only
 *    for a command whose argv is known, see command-pattern.ts), else exactly
 *    the touched paths (`{a,b}` when several; an allow rule needs every path of a later request to be one of them).
 * With neither a command nor a path there is nothing narrow to remember (the rule would cover every request of that
 * kind, or every request of the agent), so the result is undefined: the caller answers this request and remembers
 * nothing (the agent usually remembers its own allow_always anyway).
 */
export function sessionRuleFor(
  subject: PermissionSubject,
  decision: 'allow_always' | 'reject_always',
): PermissionRule | undefined {
  const rule: PermissionRule = {
    decision: decision === 'allow_always' ? 'allow' : 'deny',
    agent: escapeGlob(subject.agent),
    method: escapeGlob(subject.method),
  };
  if (subject.kind !== undefined) rule.kind = [subject.kind];
  if (subject.command !== undefined && subject.command !== '') {
    if (rule.decision === 'deny') {
      rule.command = escapeGlob(subject.command);
      return rule;
    }
    // an allow rule matches argv only (command-pattern.ts): a command with shell syntax, or one that runs another
    // command, can never be matched, so there is nothing to remember
    const pattern = exactArgvPattern(subject);
    if (pattern === undefined) return undefined;
    rule.command = pattern;
    return rule;
  }
  const paths = [...new Set(subject.paths.map((p) => escapeGlob(rulePathOf(subject.workspaceRoot, p))))];
  if (paths.length === 0) return undefined;
  rule.path = paths.length === 1 ? paths[0]! : `{${paths.join(',')}}`;
  return rule;
}

/** A command pattern that matches exactly the subject's argv, or undefined when its argv is unknown or unmatchable. */
function exactArgvPattern(subject: PermissionSubject): string | undefined {
  let argv = subject.argv;
  if (argv === undefined) {
    const parsed = parseShellWords(subject.command ?? '');
    argv = parsed.plain ? parsed.argv : null;
  }
  if (argv === null || argv.length === 0 || runnerReason(argv) !== undefined) return undefined;
  // a program written with a relative path is remembered by its absolute path: rules look relative ones up in the workspace
  if (argv[0]!.includes('/')) argv = [resolve(subject.cwd ?? subject.realRoot ?? subject.workspaceRoot, argv[0]!), ...argv.slice(1)];
  const words = argv.map((word) => quotePatternWord(escapeGlob(word)));
  return words.every((w): w is string => w !== undefined) ? words.join(' ') : undefined;
}
