// The metrics that are folds of the log: counters of sessions, prompts, turns, permission decisions, agent restarts
// and budget refusals, and the histograms of turn duration and approval wait (both ends of each are events, so
// their commit times give the duration). Rebuilt from the events of these types on the first scrape (the type
// index keeps that cheap) and advanced by every commit after it, so they survive restarts.
import type * as PromClient from 'prom-client';
import type { EventStore, RecordedEvent } from '../store/types.js';
import { PlainHistogram } from './plain-histogram.js';
import { APPROVAL_WAIT_BUCKETS, TURN_DURATION_BUCKETS } from './buckets.js';

// PromptSubmitted before TurnEnded and PermissionRequested before PermissionDecided: the first fold walks one type
// after the other, so a turn's (an approval's) start must already be known when its end is folded.
const FOLDED_TYPES = [
  'SessionCreated',
  'PromptSubmitted',
  'TurnEnded',
  'PermissionRequested',
  'PermissionDecided',
  'AgentProcessSpawned',
  'BudgetExceeded',
  'PipelineEnded',
  'PipelineDeleted',
  'OrchestrationEnded',
] as const;
const FOLDED: ReadonlySet<string> = new Set(FOLDED_TYPES);

export class LogFold {
  private readonly sessionsCreated: PromClient.Counter<'agent'>;
  private readonly prompts: PromClient.Counter<'agent'>;
  private readonly turns: PromClient.Counter<'agent' | 'outcome'>;
  private readonly restarts: PromClient.Counter<'agent'>;
  private readonly permissions: PromClient.Counter<'decision' | 'by'>;
  private readonly budgetRefusals: PromClient.Counter<'agent' | 'scope' | 'kind' | 'action'>;
  private readonly multiAgentRuns: PromClient.Counter<'kind' | 'outcome'>;
  readonly turnDuration = new PlainHistogram('aintegrix_turn_duration_seconds', 'Turn duration (prompt recorded to turn ended), by agent and outcome', ['agent', 'outcome'], TURN_DURATION_BUCKETS);
  readonly approvalWait = new PlainHistogram('aintegrix_approval_wait_seconds', 'How long approvals asked of a person waited for their decision, by decision', ['decision'], APPROVAL_WAIT_BUCKETS);
  private readonly sessionAgent = new Map<string, string>();
  /** `<stream>#<turn>` → commit time of its PromptSubmitted; removed when the turn ends */
  private readonly turnStarts = new Map<string, number>();
  /** approval id → commit time of its PermissionRequested, for approvals a person was asked */
  private readonly askedAt = new Map<string, number>();

  constructor(lib: typeof PromClient, registers: PromClient.Registry[]) {
    const { Counter } = lib;
    this.sessionsCreated = new Counter({ name: 'aintegrix_sessions_created_total', help: 'Sessions created', labelNames: ['agent'], registers });
    this.prompts = new Counter({ name: 'aintegrix_prompts_total', help: 'Prompts submitted', labelNames: ['agent'], registers });
    this.turns = new Counter({ name: 'aintegrix_turns_total', help: 'Turns ended, by outcome', labelNames: ['agent', 'outcome'], registers });
    this.restarts = new Counter({ name: 'aintegrix_agent_restarts_total', help: 'Agent process restarts', labelNames: ['agent'], registers });
    this.permissions = new Counter({ name: 'aintegrix_permission_decisions_total', help: 'Permission decisions, by decision and who decided', labelNames: ['decision', 'by'], registers });
    this.budgetRefusals = new Counter({
      name: 'aintegrix_budget_refusals_total',
      help: 'Budgets that stopped work (BudgetExceeded events): prompts refused and running turns cancelled, by agent, budget scope and kind, and action',
      labelNames: ['agent', 'scope', 'kind', 'action'],
      registers,
    });
    this.multiAgentRuns = new Counter({
      name: 'aintegrix_orchestrations_total',
      help: 'Orchestrations and pipelines ended, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    for (const kind of ['orchestration', 'pipeline']) for (const outcome of ['completed', 'failed', 'cancelled', 'interrupted']) this.multiAgentRuns.inc({ kind, outcome }, 0);
    for (const r of registers) {
      r.registerMetric(this.turnDuration.promMetric() as never);
      r.registerMetric(this.approvalWait.promMetric() as never);
    }
  }

  /** Fold every event of the folded types up to the head (synchronously). */
  foldLog(store: EventStore): void {
    for (const type of FOLDED_TYPES) for (const e of store.iterate({ type })) this.fold(e);
  }

  foldBatch(batch: readonly RecordedEvent[]): void {
    for (const e of batch) if (FOLDED.has(e.type)) this.fold(e);
  }

  private fold(e: RecordedEvent): void {
    const d = e.data as Record<string, unknown>;
    switch (e.type) {
      case 'SessionCreated':
        this.sessionAgent.set(e.streamId, String(d.agent));
        this.sessionsCreated.inc({ agent: String(d.agent) });
        break;
      case 'PromptSubmitted':
        this.prompts.inc({ agent: this.agentOf(e) });
        this.turnStarts.set(`${e.streamId}#${String(d.turn)}`, e.at);
        break;
      case 'TurnEnded': {
        const agent = this.agentOf(e);
        const outcome = String(d.outcome);
        this.turns.inc({ agent, outcome });
        const key = `${e.streamId}#${String(d.turn)}`;
        const started = this.turnStarts.get(key);
        if (started !== undefined) {
          this.turnStarts.delete(key);
          this.turnDuration.observeWith([agent, outcome], (e.at - started) / 1000);
        }
        break;
      }
      case 'PermissionRequested':
        if (d.policy === 'ask') this.askedAt.set(String(d.approval_id), e.at);
        break;
      case 'PermissionDecided': {
        this.permissions.inc({ decision: String(d.decision), by: decider(String(d.decided_by)) });
        const asked = this.askedAt.get(String(d.approval_id));
        if (asked !== undefined) {
          this.askedAt.delete(String(d.approval_id));
          this.approvalWait.observeWith([String(d.decision)], (e.at - asked) / 1000);
        }
        break;
      }
      case 'AgentProcessSpawned':
        if (Number(d.restart) > 0) this.restarts.inc({ agent: String(d.agent) });
        break;
      case 'PipelineEnded':
        this.multiAgentRuns.inc({ kind: 'pipeline', outcome: String(d.final_status) });
        break;
      case 'OrchestrationEnded':
        this.multiAgentRuns.inc({ kind: 'orchestration', outcome: String(d.status) });
        break;
      case 'PipelineDeleted':
        if (d.run_cancelled === true) this.multiAgentRuns.inc({ kind: 'pipeline', outcome: 'cancelled' });
        break;
      case 'BudgetExceeded': {
        const budget = (d.budget ?? {}) as Record<string, unknown>;
        this.budgetRefusals.inc({
          agent: this.agentOf(e),
          scope: String(budget.scope ?? 'unknown'),
          kind: String(budget.kind ?? 'unknown'),
          action: String(d.action ?? 'unknown'),
        });
        break;
      }
    }
  }

  private agentOf(e: RecordedEvent): string {
    // session ids are `<agent>_<uuid>` (36 characters of uuid)
    return this.sessionAgent.get(e.streamId) ?? e.streamId.slice('session:'.length, -37);
  }
}

/** Who decided, as a bounded label: the automatic deciders by name, every person as `person`. */
function decider(by: string): string {
  return ['policy', 'session_rule', 'deadline', 'cancel', 'agent', 'agent_exit', 'recovery', 'shutdown'].includes(by) ? by : 'person';
}
