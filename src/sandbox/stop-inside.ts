// Asking a sandboxed process to stop. The process group we signal is led by bwrap itself; SIGTERM kills bwrap at
// once (it has no handler), and --die-with-parent then SIGKILLs everything inside before the agent could save its
// state (claude-agent-acp writes its session file on SIGTERM). So SIGTERM goes to the other members of the group
// only: the agent exits in its own time, bwrap's init inside follows, and bwrap exits with the agent's status.
// (The PID namespace's init ignores a SIGTERM from outside: it has no handler.) SIGKILL still goes to the group.
//
// And when the first process in a PID namespace exits, the kernel kills every other one: claude-agent-acp exits
// on SIGTERM while the Claude Code CLI it started is still writing the session's transcript. So the agent runs
// under AGENT_INIT, a shell that waits for it, then lets the rest of the sandbox finish (at most 5 s; the gateway's
// SIGKILL after its grace period bounds it anyway), then exits with the agent's status.
import { readFileSync, readdirSync } from 'node:fs';

/** `sh -c AGENT_INIT name command args...`: stdin goes to the command (a background job would get /dev/null). */
export const AGENT_INIT =
  'exec 3<&0; "$@" <&3 3<&- & pid=$!; exec 3<&- 0</dev/null 1>/dev/null; trap "" TERM INT HUP; wait $pid; status=$?; ' +
  'n=0; while set -- /proc/[0-9]*; [ $# -gt 2 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done; exit $status';

/** SIGTERM to every live member of group `pgid` except its leader. */
export function terminateInside(pgid: number): void {
  for (const pid of groupMembers(pgid)) {
    if (pid === pgid) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone meanwhile */
    }
  }
}

function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return members;
}
