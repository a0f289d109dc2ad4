// Programs whose job is to run another program given in their arguments. An argv that starts with one of them says
// nothing about what will finally run (`env git status` may be `env -S 'sh -c ...'`, `sudo` changes the user,
// `xargs` reads its command's arguments from stdin), so no allow rule may match it; deny and ask rules still can.
// A shell is allowed to run a script (`bash build.sh`, when a rule names bash) but never a command string (-c).
import path from 'node:path';

export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'oksh', 'pdksh', 'yash', 'ash', 'fish', 'csh', 'tcsh', 'rbash', 'elvish', 'nu', 'xonsh', 'pwsh']);

export const COMMAND_RUNNERS: ReadonlySet<string> = new Set([
  'env', 'sudo', 'doas', 'su', 'runuser', 'pkexec', 'setpriv', 'chroot', 'unshare', 'nsenter', 'systemd-run',
  'xargs', 'parallel', 'nohup', 'nice', 'ionice', 'chrt', 'taskset', 'timeout', 'time', 'stdbuf', 'setsid',
  'flock', 'watch', 'script', 'exec', 'eval', 'command', 'builtin', 'busybox', 'toybox', 'strace', 'ltrace',
  'gdb', 'valgrind', 'firejail', 'bwrap', 'proot', 'fakeroot', 'caffeinate', 'expect',
]);

/** Why `argv` can never be matched by an allow rule, or undefined when it can be. */
export function runnerReason(argv: readonly string[]): string | undefined {
  const name = path.basename(argv[0] ?? '');
  if (COMMAND_RUNNERS.has(name)) return `'${name}' runs another command`;
  if (SHELLS.has(name)) {
    // -c, or -c bundled with other short options (-lc, -ec): the next argument is a command string
    const commandString = argv.slice(1).some((a) => /^[-+][A-Za-z]*c[A-Za-z]*$/.test(a) || a === '--command');
    if (commandString) return `'${name} -c' runs a command string`;
  }
  return undefined;
}
