// Committed events as the machines see them: the event's data spread into an XState event of its type.
import type { EventObject } from 'xstate';
import type { RecordedEvent } from '../store/types.js';

export function toMachineEvent(type: string, data: unknown): EventObject {
  return data !== null && typeof data === 'object' && !Array.isArray(data)
    ? { ...(data as Record<string, unknown>), type }
    : { type };
}

/**
 * The machine event for a committed event: its data, plus `$at` (commit time) and `$pos` (log position) so machines
 * can keep timestamps and cursors that are the same live and on replay.
 */
export function foldedMachineEvent(e: RecordedEvent, data: unknown, type = e.type): EventObject {
  const ev = toMachineEvent(type, data) as EventObject & { $at?: number; $pos?: number };
  ev.$at = e.at;
  ev.$pos = e.position;
  return ev;
}
