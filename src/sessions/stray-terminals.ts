// At boot: stop the terminals a previous gateway left running. Each terminal's process is in the log before its
// command runs (TerminalStarted: pid, process group, start time), so the terminals started since the last boot that
// were not seen gone at their release are the candidates. A candidate's group is ours while its leader still has the
// recorded start time (a reused pid has another), or, once the leader has exited, while the group exists at all (the
// kernel does not hand out a number that is still some group's id). Those groups get SIGTERM, then SIGKILL after a
// grace; every candidate gets a TerminalReleased with `at_boot`, so the log says how each terminal ended.
import type { ActorRuntime } from '../actors/runtime.js';
import type { Logger } from '../log/logger.js';
import { groupExists, groupHasLiveMember, processStartTime } from '../workspace/index.js';

/** The store checkpoint: every terminal started at or before it has been dealt with by a boot. */
export const STRAY_TERMINALS_CHECKPOINT = 'boot:stray-terminals';
const KILL_GRACE_MS = 1500;
const POLL_MS = 50;

interface Candidate {
  streamId: string;
  terminalId: string;
  pid: number;
  pgid: number;
  startTime: string | null;
}

/** Stop what is left of the previous run's terminals; resolves with how many process groups were signalled. */
export async function stopStrayTerminals(runtime: ActorRuntime, logger: Logger, boot: string): Promise<number> {
  const store = runtime.store;
  const after = store.getCheckpoint(STRAY_TERMINALS_CHECKPOINT);
  const candidates = new Map<string, Candidate>();
  for (const e of store.iterate({ type: 'TerminalStarted', afterPosition: after })) {
    const d = e.data as { terminal_id: string; pid: number; pgid: number; start_time: string | null };
    candidates.set(`${e.streamId} ${d.terminal_id}`, { streamId: e.streamId, terminalId: d.terminal_id, pid: d.pid, pgid: d.pgid, startTime: d.start_time });
  }
  for (const e of store.iterate({ type: 'TerminalReleased', afterPosition: after })) {
    const d = e.data as { terminal_id: string; gone: boolean };
    if (d.gone) candidates.delete(`${e.streamId} ${d.terminal_id}`);
  }
  const ours = [...candidates.values()].filter(isStillOurs);
  for (const c of ours) signalGroup(c.pgid, 'SIGTERM');
  const deadline = Date.now() + KILL_GRACE_MS;
  let alive = ours;
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    alive = (await Promise.all(alive.map(async (c) => ((await groupHasLiveMember(c.pgid)) ? c : null)))).filter((c) => c !== null);
  }
  for (const c of alive) signalGroup(c.pgid, 'SIGKILL');

  const stopped = new Set(ours);
  for (const c of candidates.values()) {
    const actor = runtime.get(c.streamId);
    const at_boot = stopped.has(c) ? 'stopped' : 'gone';
    if (at_boot === 'stopped') logger.warn('stopped a terminal left running by the previous gateway', { stream: c.streamId, terminal: c.terminalId, pgid: c.pgid });
    await actor
      ?.record([{ type: 'TerminalReleased', data: { terminal_id: c.terminalId, gone: true, at_boot } }], { principal: 'system', correlation: boot })
      .catch((e: Error) => logger.error('cannot record a terminal stopped at boot', { stream: c.streamId, terminal: c.terminalId, error: e }));
  }
  store.setCheckpoint(STRAY_TERMINALS_CHECKPOINT, store.headPosition());
  return stopped.size;
}

function isStillOurs(c: Candidate): boolean {
  const now = processStartTime(c.pid);
  if (now !== null) return c.startTime !== null && now === c.startTime && c.pgid === c.pid;
  return groupExists(c.pgid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* gone meanwhile */
  }
}
