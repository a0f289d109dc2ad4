// Usage per turn: a projection of the log. One record per prompt (its agent, model, session, the API token that
// sent it, the time) completed by its TurnEnded (tokens and the cost that fell on the turn), plus what a running
// turn has reported so far, which the budgets read to stop it. Folded from the log on first use (through the type
// index, in log order; synchronous, so no commit falls between the fold and the live events) and advanced by every
// commit, so it survives restarts like the log does. Plain maps rather than an @xstate/store: the records grow
// with the log, and an immutable store would copy them on every event.
import type { EventStore, RecordedEvent } from '../store/types.js';
import { costIncrement, costOf, count, turnFigures, type ReportedCost } from './usage-figures.js';

const FOLDED_TYPES = ['SessionCreated', 'AgentAttached', 'ModelChanged', 'PromptSubmitted', 'TurnEnded'] as const;

export interface TurnUsage {
  session: string;
  turn: number;
  agent: string;
  model: string | null;
  /** the API token name recorded on the prompt (its principal) */
  token: string | null;
  /** the orchestration or pipeline whose candidate or step this turn was (meta.orchestration / meta.pipeline of the prompt); null for turns of plain sessions */
  orchestration: string | null;
  pipeline: string | null;
  /** when the prompt was submitted (ms) */
  at: number;
  ended: boolean;
  outcome: string | null;
  usage_reported: boolean;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost: Record<string, number>;
}

export interface SessionUsage {
  agent: string;
  model: string | null;
  /** the session's cumulative cost per currency, as last reported (per-turn costs are increments of it) */
  cumulativeCost: Record<string, number>;
  /** input + output tokens of its ended turns */
  tokens: number;
  /** tokens in its context window, as last reported (every one of them was sent in this session at least once) */
  contextUsed: number;
  turns: Map<number, TurnUsage>;
  /** what the running turn has reported so far (usage_update notifications) */
  running: { turn: number; cost: ReportedCost | null; contextUsed: number | null } | null;
}

export class UsageLedger {
  /** every turn, in prompt order (so the newest are at the end: the budgets' windows read backwards) */
  readonly turns: TurnUsage[] = [];
  private readonly sessions = new Map<string, SessionUsage>();
  /** sessions whose turn runs */
  private readonly running = new Set<string>();
  private folded = false;
  private readonly runningListeners: ((sessionId: string) => void)[] = [];

  constructor(private readonly store: EventStore) {}

  /** Called (synchronously, from the commit) when a running turn reported new usage. */
  onRunningUsage(listener: (sessionId: string) => void): void {
    this.runningListeners.push(listener);
  }

  observeCommitted(events: readonly RecordedEvent[]): void {
    if (!this.folded) return;
    for (const e of events) {
      if (e.type === 'AcpMessage') this.observeAcp(e);
      else this.fold(e);
    }
  }

  ensureFolded(): void {
    if (this.folded) return;
    this.folded = true;
    const events = FOLDED_TYPES.flatMap((type) => [...this.store.iterate({ type })]).sort((a, b) => a.position - b.position);
    for (const e of events) this.fold(e);
  }

  session(id: string): Readonly<SessionUsage> | undefined {
    this.ensureFolded();
    return this.sessions.get(id);
  }

  /** Sessions whose turn runs, with what it reported so far. */
  *runningSessions(): IterableIterator<[string, Readonly<SessionUsage>]> {
    for (const id of this.running) yield [id, this.sessions.get(id)!];
  }

  private fold(e: RecordedEvent): void {
    if (!e.streamId.startsWith('session:')) return;
    const id = e.streamId.slice('session:'.length);
    const d = e.data as Record<string, unknown>;
    if (e.type === 'SessionCreated') {
      this.sessions.set(id, { agent: String(d.agent), model: str(d.model), cumulativeCost: {}, tokens: 0, contextUsed: 0, turns: new Map(), running: null });
      return;
    }
    const s = this.sessions.get(id);
    if (!s) return;
    switch (e.type) {
      case 'AgentAttached':
        if (str(d.model) !== null) s.model = str(d.model);
        break;
      case 'ModelChanged':
        s.model = str(d.model);
        break;
      case 'PromptSubmitted': {
        const turn = Number(d.turn);
        const t: TurnUsage = {
          session: id,
          turn,
          agent: s.agent,
          model: s.model,
          token: typeof e.meta.principal === 'string' ? e.meta.principal : null,
          // steps and candidates prompt with their actor's id in the command metadata
          orchestration: typeof e.meta.orchestration === 'string' ? e.meta.orchestration : null,
          pipeline: typeof e.meta.pipeline === 'string' ? e.meta.pipeline : null,
          at: e.at,
          ended: false,
          outcome: null,
          usage_reported: false,
          input_tokens: 0,
          output_tokens: 0,
          cached_tokens: 0,
          cost: {},
        };
        s.turns.set(turn, t);
        s.running = { turn, cost: null, contextUsed: null };
        this.running.add(id);
        this.turns.push(t);
        break;
      }
      case 'TurnEnded': {
        const t = s.turns.get(Number(d.turn));
        if (s.running?.turn === Number(d.turn)) {
          s.running = null;
          this.running.delete(id);
        }
        if (!t || t.ended) break;
        const f = turnFigures(d.usage);
        t.ended = true;
        t.outcome = str(d.outcome);
        t.usage_reported = f.reported;
        if (f.tokens) {
          t.input_tokens = f.tokens.input;
          t.output_tokens = f.tokens.output;
          t.cached_tokens = f.tokens.cached;
          s.tokens += f.tokens.input + f.tokens.output;
        }
        if (f.contextUsed !== null) s.contextUsed = f.contextUsed;
        if (f.cumulativeCost) {
          t.cost = { [f.cumulativeCost.currency]: costIncrement(f.cumulativeCost, s.cumulativeCost) };
          s.cumulativeCost = { ...s.cumulativeCost, [f.cumulativeCost.currency]: f.cumulativeCost.amount };
        }
        break;
      }
    }
  }

  /** A usage_update from the agent of a session whose turn runs: remember it and tell the budgets. */
  private observeAcp(e: RecordedEvent): void {
    if (!e.dataText.includes('"usage_update"')) return; // most AcpMessages are chunks: no parse for them
    const s = this.sessions.get(e.streamId.slice('session:'.length));
    if (!s?.running) return;
    const d = e.data as { dir?: string; msg?: { method?: string; params?: { update?: Record<string, unknown> } } };
    const update = d.msg?.params?.update;
    if (d.dir !== 'in' || d.msg?.method !== 'session/update' || update?.sessionUpdate !== 'usage_update') return;
    s.running.cost = costOf(update) ?? s.running.cost;
    s.running.contextUsed = count(update.used) ?? s.running.contextUsed;
    const id = e.streamId.slice('session:'.length);
    for (const l of this.runningListeners) l(id);
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
