// Git reads settings that run programs from the repository it works in (.git/config: core.fsmonitor runs on every
// `git status`; hooks run on commit, checkout, merge). An agent that writes there turns an allowed `git status` into
// arbitrary code. Writes to .git are denied by default (permissions/protected-paths.ts); as defence in depth, agents
// and terminals get git configuration in their environment (GIT_CONFIG_COUNT/KEY/VALUE, git >= 2.31, which
// overrides every config file) that switches those settings off. The agent may not set GIT_* variables in a
// terminal's environment (terminal-env.ts), so it cannot take this back for a command it was allowed to run.

/** Settings that would run a program, each set to a value that runs nothing. */
export const GIT_HARDENING: readonly (readonly [key: string, value: string])[] = [
  ['core.fsmonitor', 'false'],
  ['core.hooksPath', '/dev/null'],
  ['core.pager', 'cat'],
  ['log.showSignature', 'false'],
  ['protocol.ext.allow', 'never'],
];

/**
 * `env` plus the hardening entries, appended after any GIT_CONFIG_COUNT entries it already has (a later entry wins
 * in git). Idempotent: an environment that already ends with them is returned unchanged.
 */
export function withGitHardening(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...env };
  const parsed = Number.parseInt(out.GIT_CONFIG_COUNT ?? '0', 10);
  const count = Number.isSafeInteger(parsed) && parsed > 0 ? parsed : 0;
  const start = count - GIT_HARDENING.length;
  const present =
    start >= 0 && GIT_HARDENING.every(([key, value], i) => out[`GIT_CONFIG_KEY_${start + i}`] === key && out[`GIT_CONFIG_VALUE_${start + i}`] === value);
  if (present) return out;
  GIT_HARDENING.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${count + i}`] = key;
    out[`GIT_CONFIG_VALUE_${count + i}`] = value;
  });
  out.GIT_CONFIG_COUNT = String(count + GIT_HARDENING.length);
  return out;
}
