// The bubblewrap command line of a sandbox: a new root in which only what a plan names exists. System folders are
// read-only, the agent's own files (its executable's package, the folders of its absolute arguments, extra
// read_only paths) read-only, its home and the session workspace read-write; /proc is the new PID namespace's own
// (the gateway's /proc/<pid>/environ does not exist in it), /dev minimal, /tmp private. The gateway's own
// directories are covered with an empty tmpfs wherever a bind would have shown them, and their secret files with
// /dev/null (unreadable there: binds are nodev).
// The network is shared on purpose: agents call model APIs.
import { isWithin } from '../config/workspace-paths.js';

/** System folders bound read-only when present (-try): programs, libraries, /etc for users, DNS and certificates. */
export const SYSTEM_READ_ONLY = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'];
/** Readable by the gateway's user (root, on many servers) and of no use to an agent: covered. */
export const MASKED_SYSTEM_FILES = ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-'];

export interface BwrapPlan {
  /** real paths bound read-only at the same place (besides SYSTEM_READ_ONLY) */
  readOnly: string[];
  /** the agent's home, bound read-write */
  home: string;
  /** the session workspace, bound read-write, last (it wins over anything hidden around it) */
  workspace: string;
  /** directories to show empty where a bind would show them: the data dir, other workspaces, other homes */
  hiddenDirs: string[];
  /** files to cover (/dev/null) where a bind would show them: the API key file, the config file, the audit key */
  hiddenFiles: string[];
  /** existing files among MASKED_SYSTEM_FILES */
  maskedFiles: string[];
}

/** bwrap options (everything before the command) for `plan`, starting the command in `cwd`. */
export function bwrapArgs(plan: BwrapPlan, cwd: string): string[] {
  const args = ['--die-with-parent', '--unshare-pid', '--unshare-ipc'];
  // first, so that binds below /tmp (a workspace in a temp folder) come on top of the private /tmp
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const dir of SYSTEM_READ_ONLY) args.push('--ro-bind-try', dir, dir);
  for (const file of plan.maskedFiles) args.push('--ro-bind', '/dev/null', file);
  for (const path of plan.readOnly) args.push('--ro-bind-try', path, path);
  args.push('--bind', plan.home, plan.home);
  const shown = [...SYSTEM_READ_ONLY, ...plan.readOnly, plan.home];
  const visible = (p: string) => shown.some((s) => isWithin(p, s));
  const hidden = plan.hiddenDirs.filter(visible);
  for (const dir of hidden) args.push('--tmpfs', dir);
  const underHidden = (p: string) => hidden.some((d) => isWithin(p, d));
  for (const file of plan.hiddenFiles.filter((f) => visible(f) && !underHidden(f))) args.push('--ro-bind', '/dev/null', file);
  // a home inside a hidden directory (the default: <homes_dir>/<agent>) comes back on top of the tmpfs
  if (underHidden(plan.home)) args.push('--bind', plan.home, plan.home);
  args.push('--bind', plan.workspace, plan.workspace);
  args.push('--chdir', cwd);
  return args;
}
