// How a session records its terminals' lives: the start is awaited (durable before the command runs, so a crash can
// never leave a running command that the log does not know of), the exit and the release are facts that may linger.
import type { TerminalLifecycle } from '../workspace/index.js';
import type { AppendOptions, NewEvent, RecordedEvent } from '../store/types.js';

type Record = (events: NewEvent[], options?: AppendOptions) => Promise<RecordedEvent[]>;

export function terminalLifecycle(record: Record): TerminalLifecycle {
  const fact = (event: NewEvent) => void record([event], { linger: true }).catch(() => undefined); // a broken stream already logged why
  return {
    async started(t) {
      await record([
        {
          type: 'TerminalStarted',
          data: { terminal_id: t.terminalId, pid: t.pid, pgid: t.pgid, start_time: t.startTime, command: t.command, args: [...t.args], cwd: t.cwd },
        },
      ]);
    },
    exited: (terminalId, status) => fact({ type: 'TerminalExited', data: { terminal_id: terminalId, exit_code: status.exitCode, signal: status.signal } }),
    released: (terminalId, gone) => fact({ type: 'TerminalReleased', data: { terminal_id: terminalId, gone } }),
  };
}
