// Which turns of a live session have ended, and who is waiting for them. A turn ends exactly once: the first of
// the agent's answer, an error, the agent's exit, a timeout or a close records its TurnEnded; the others find the
// turn ended and do nothing. Waiters (a REST prompt, an MCP call) resolve once the TurnEnded is committed.
import type { NewEvent, RecordedEvent } from '../store/types.js';
import { Deferred } from './deferred.js';
import type { TurnCollector } from './turn-collector.js';

export interface TurnResult {
  turn: number;
  outcome: string;
  stop_reason: string | null;
  text: string;
  usage?: unknown;
  error: { code: string; message: string } | null;
  position: number;
}

export type TurnEnding = Omit<TurnResult, 'turn' | 'text' | 'position'> & { text?: string };

export class TurnLedger {
  private readonly ended = new Set<number>();
  private readonly waiters = new Map<number, Deferred<TurnResult>>();
  private readonly recent = new Map<number, TurnResult>();

  constructor(private readonly record: (events: NewEvent[]) => Promise<RecordedEvent[]>) {}

  hasEnded(n: number): boolean {
    return this.ended.has(n);
  }

  /** Claim the end of turn `n` (false when another path already ended it). */
  claim(n: number): boolean {
    if (this.ended.has(n)) return false;
    this.ended.add(n);
    return true;
  }

  /** The TurnEnded data for turn `n`, with the text and open tool calls its collector saw. */
  static data(n: number, r: TurnEnding, collector: TurnCollector | null) {
    return {
      turn: n,
      outcome: r.outcome,
      stop_reason: r.stop_reason,
      text: r.text ?? collector?.text ?? '',
      // a turn that ends without the agent's answer keeps what it reported on the way (usage_update)
      usage: r.usage ?? collector?.usageWith(undefined),
      error: r.error,
      ...(r.outcome !== 'completed' && collector?.toolCallsWithoutOutcome.length ? { unknown_tool_calls: collector.toolCallsWithoutOutcome } : {}),
    };
  }

  /** Record the end of turn `n` (once) and resolve its waiters after the commit. */
  async end(n: number, r: TurnEnding, collector: TurnCollector | null): Promise<void> {
    if (!this.claim(n)) return;
    const data = TurnLedger.data(n, r, collector);
    try {
      const [ended] = await this.record([{ type: 'TurnEnded', data }]);
      this.resolve({ ...data, position: ended!.position } as TurnResult);
    } catch (e) {
      this.waiters.get(n)?.reject(e as Error);
      this.waiters.delete(n);
    }
  }

  /** Resolves when turn `n` has ended (its TurnEnded committed). */
  waitFor(n: number): Promise<TurnResult> {
    const done = this.recent.get(n);
    if (done) return Promise.resolve(done);
    let d = this.waiters.get(n);
    if (!d) this.waiters.set(n, (d = new Deferred<TurnResult>()));
    return d.promise;
  }

  /** A TurnEnded was committed by another path (the agent's exit): resolve its waiters. */
  resolve(result: TurnResult): void {
    const d = this.waiters.get(result.turn);
    this.waiters.delete(result.turn);
    d?.resolve(result);
    // keep the last few results for a waiter that comes late (a stream that attaches after a fast turn)
    this.recent.set(result.turn, result);
    if (this.recent.size > 4) this.recent.delete(this.recent.keys().next().value!);
  }
}
