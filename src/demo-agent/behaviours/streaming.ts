// Volume and duration: /chunks floods the client with updates, /slow streams for a while and honours cancel.
import type { PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';

export const MAX_CHUNKS = 1_000_000;
export const MAX_CHUNK_SIZE = 65_536;
export const MAX_SLOW_SECONDS = 3600;
const DEFAULT_CHUNK_SIZE = 8;
/** Updates queued in the SDK before we wait for them to reach stdout: bounds memory, lets a cancel in. */
const CHUNK_BATCH = 512;
const SLOW_TICK_MS = 100;

function parseCount(arg: string | undefined, min: number, max: number): number | null {
  if (arg === undefined || !/^\d+$/.test(arg)) return null;
  const n = Number(arg);
  return n >= min && n <= max ? n : null;
}

/** Chunk `index` as exactly `size` characters: the index zero-padded (its last `size` digits if longer). */
export function chunkText(index: number, size: number): string {
  const digits = String(index);
  return digits.length >= size ? digits.slice(digits.length - size) : digits.padStart(size, '0');
}

/** `/chunks N [SIZE]`: exactly N agent_message_chunks of SIZE characters, as fast as stdout takes them. */
export async function chunks(turn: Turn): Promise<PromptResponse> {
  const [countArg, sizeArg] = turn.prompt.args;
  const count = parseCount(countArg, 0, MAX_CHUNKS);
  const size = sizeArg === undefined ? DEFAULT_CHUNK_SIZE : parseCount(sizeArg, 1, MAX_CHUNK_SIZE);
  if (count === null || size === null) {
    await sayInPieces(turn, `usage: /chunks N [SIZE] (N <= ${MAX_CHUNKS}, 1 <= SIZE <= ${MAX_CHUNK_SIZE})`);
    return turn.finish();
  }
  for (let i = 0; i < count; i++) {
    // Not awaited one by one: the SDK queues the writes in order; waiting per batch keeps the queue short.
    const sent = turn.say(chunkText(i, size));
    if (i % CHUNK_BATCH === CHUNK_BATCH - 1) {
      await sent;
      if (turn.cancelled) break;
    }
  }
  await turn.flush();
  return turn.finish();
}

/** `/slow SECONDS`: one chunk every 100 ms for SECONDS; a session/cancel stops it at once. */
export async function slow(turn: Turn): Promise<PromptResponse> {
  const seconds = Number(turn.prompt.args[0]);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SLOW_SECONDS) {
    await sayInPieces(turn, `usage: /slow SECONDS (0 < SECONDS <= ${MAX_SLOW_SECONDS})`);
    return turn.finish();
  }
  const ticks = Math.max(1, Math.round((seconds * 1000) / SLOW_TICK_MS));
  for (let i = 1; i <= ticks && !turn.cancelled; i++) {
    await turn.say(`slow ${i}/${ticks}\n`);
    if (i < ticks) await turn.sleep(SLOW_TICK_MS);
  }
  return turn.finish();
}
