// What a journaled actor's inputs come to, for its callers: a command's decision (events or a refusal) and the
// conflict of a stream another writer moved. Kept apart from the actor so callers and tests need not read it.
import type { RecordedEvent } from '../store/types.js';

export type DecideResult =
  | { ok: true; events: RecordedEvent[] }
  | { ok: false; reason: string; message?: string; details?: Record<string, unknown> };

export class ActorConflictError extends Error {
  constructor(streamId: string, expected: number, actual: number) {
    super(`stream ${streamId} was written by someone else (expected version ${expected}, found ${actual})`);
  }
}
