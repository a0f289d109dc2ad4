// Restarts of a session's agent, read from the session's log (nothing about them is kept in memory, so a gateway
// restart continues where the last one stopped): the restart number of the next process is the number of agents
// attached so far (AgentAttached, folded as attachCount); a crash is an AgentDetached `exited` (the agent exited on
// its own), and consecutive crashes count from the last turn the agent completed. The back-off before the n-th
// consecutive restart runs from the commit time of the last crash.
import { AttachError } from './attach-error.js';
import type { EventStore } from '../store/types.js';
import type { SessionContext } from './session-machine.js';

/** Back-off before the n-th restart after consecutive crashes (1, 2, 4, 8, 16 s); after that the session fails. */
export const RESTART_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000];

export interface CrashHistory {
  /** consecutive crashes since the agent last completed a turn */
  crashes: number;
  /** commit time of the last of them (ms since the epoch), 0 without crashes */
  lastCrashAt: number;
}

export function crashHistory(store: EventStore, streamId: string, ctx: SessionContext): CrashHistory {
  // only an attached agent can crash (a failed attach is not a crash): a session that never had one has none
  if (ctx.attachCount === 0) return { crashes: 0, lastCrashAt: 0 };
  const crashes: { position: number; at: number }[] = [];
  for (const e of store.iterate({ streamId, type: 'AgentDetached' })) {
    if ((e.data as { reason: string }).reason === 'exited') crashes.push({ position: e.position, at: e.at });
  }
  if (crashes.length === 0) return { crashes: 0, lastCrashAt: 0 };
  let healthySince = 0;
  for (const e of store.iterate({ streamId, type: 'TurnEnded', afterPosition: crashes[0]!.position })) {
    if ((e.data as { outcome: string }).outcome === 'completed') healthySince = e.position;
  }
  const since = crashes.filter((c) => c.position > healthySince);
  return { crashes: since.length, lastCrashAt: since.length ? since[since.length - 1]!.at : 0 };
}

/** Wait out the back-off the log asks for before the next start, or give up (agent_failed) after too many crashes. */
export async function waitForRestart(history: CrashHistory, backoff: readonly number[], agent: string, now: () => number): Promise<void> {
  if (history.crashes > backoff.length) {
    throw new AttachError('agent_failed', `agent '${agent}' crashed ${history.crashes} times in a row; giving up`);
  }
  if (history.crashes === 0) return;
  const wait = history.lastCrashAt + backoff[history.crashes - 1]! - now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
