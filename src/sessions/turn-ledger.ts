// Which turns of a live session have ended. A turn ends exactly once: the first of the agent's answer, an error, the
// agent's exit, a timeout or a close records its TurnEnded; the others find the turn ended and do nothing. Whoever
// waits for a turn (a REST prompt, an MCP call, a close giving the agent its grace) waits for that committed
// TurnEnded, whichever path recorded it (session-signals.ts): one completion signal, the one the log shows.
import type { NewEvent, RecordedEvent } from '../store/types.js';
import { turnEndedEvent, type turnOutcomes } from '../events/session-events.js';
import type { SessionSignals } from './session-signals.js';
import type { TurnCollector } from './turn-collector.js';

type TurnOutcome = (typeof turnOutcomes)[number];

export interface TurnResult {
  turn: number;
  outcome: string;
  stop_reason: string | null;
  text: string;
  usage?: unknown;
  error: { code: string; message: string } | null;
  position: number;
}

export type TurnEnding = Omit<TurnResult, 'turn' | 'text' | 'position' | 'outcome'> & { outcome: TurnOutcome; text?: string };

/** The result of a turn, from its committed TurnEnded. */
export function turnResult(ended: RecordedEvent): TurnResult {
  const d = ended.data as Omit<TurnResult, 'position'>;
  return { turn: d.turn, outcome: d.outcome, stop_reason: d.stop_reason, text: d.text, usage: d.usage, error: d.error, position: ended.position };
}

/** Resolves when turn `n` of session `id` has ended (its TurnEnded committed). */
export function waitForTurnEnded(signals: SessionSignals, id: string, n: number): Promise<TurnResult> {
  return signals.turnEnded(id, n).then(turnResult);
}

export class TurnLedger {
  private readonly ended = new Set<number>();

  constructor(
    private readonly record: (events: NewEvent[]) => Promise<RecordedEvent[]>,
    private readonly sessionId: string,
    private readonly signals: SessionSignals,
  ) {}

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

  /** Record the end of turn `n` (once); its waiters resolve on the commit. */
  async end(n: number, r: TurnEnding, collector: TurnCollector | null): Promise<void> {
    if (!this.claim(n)) return;
    try {
      await this.record([turnEndedEvent(TurnLedger.data(n, r, collector))]);
    } catch (e) {
      this.signals.turnFailed(this.sessionId, n, e as Error);
    }
  }

  /** Resolves when turn `n` has ended (its TurnEnded committed). */
  waitFor(n: number): Promise<TurnResult> {
    return waitForTurnEnded(this.signals, this.sessionId, n);
  }
}
