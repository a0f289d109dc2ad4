// Answers an agent's permission questions for one session: `session/request_permission`, and the client methods the
// policy gates (terminal/create always; fs/* when a rule says so). The policy decides first; `ask` becomes a pending
// approval that a person decides over REST, WS or MCP before its deadline. Every question and every answer is an
// event, and the agent is only ever answered from the committed PermissionDecided (effect.answerPermission).
import type * as acp from '@agentclientprotocol/sdk';
import {
  chooseOption,
  deadlineFor,
  newApprovalId,
  policyToDecision,
  subjectFromClientCall,
  subjectFromPermissionRequest,
  type PermissionOptionLike,
  type PermissionOutcome,
  type PermissionPolicy,
  type PermissionRule,
  type PermissionSubject,
  withRealPaths,
} from '../permissions/index.js';
import type { NewEvent } from '../store/types.js';

export interface BrokerHost {
  readonly agent: string;
  readonly workspace: string;
  readonly policy: PermissionPolicy;
  readonly approvalTimeoutSecs: number;
  currentTurn(): number | null;
  sessionRules(): PermissionRule[];
  record(events: NewEvent[]): Promise<unknown>;
  /** record a PermissionDecided only if its approval is still pending */
  decideIfPending(event: NewEvent): Promise<unknown>;
  now(): number;
}

/** What a gated call was allowed on: its paths with symlinks resolved, in the order of the subject's paths. */
export interface GateAllowed {
  realPaths: string[];
}

/** Synthetic options for gated client calls, which carry none of their own. */
const GATE_OPTIONS: PermissionOptionLike[] = [
  { optionId: 'allow', name: 'Allow', kind: 'allow_once' },
  { optionId: 'allow_always', name: 'Always allow', kind: 'allow_always' },
  { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
];

export class PermissionBroker {
  private readonly waiting = new Map<string, (outcome: PermissionOutcome) => void>();

  constructor(private readonly host: BrokerHost) {}

  /** session/request_permission from the agent; path rules see the real paths (real-paths.ts). */
  async requestPermission(params: acp.RequestPermissionRequest, signal: AbortSignal): Promise<acp.RequestPermissionResponse> {
    const subject = await withRealPaths(subjectFromPermissionRequest({ agent: this.host.agent, workspaceRoot: this.host.workspace, params }));
    const options = (params.options ?? []) as PermissionOptionLike[];
    return { outcome: await this.decide('session/request_permission', subject, params.toolCall, options, signal) };
  }

  /**
   * A gated client call (terminal/create, fs/*). Resolves with what it was allowed on when allowed (the handler must
   * act on those real paths and no other: file-access.ts expectedPath); null when denied or rejected.
   * Calls the policy allows implicitly (fs access with no rule) leave no permission events.
   */
  async gate(method: string, params: unknown, signal: AbortSignal): Promise<GateAllowed | null> {
    const subject = await withRealPaths(subjectFromClientCall({ agent: this.host.agent, workspaceRoot: this.host.workspace, method, params }));
    const allowed: GateAllowed = { realPaths: subject.realPaths ?? [] };
    const verdict = this.host.policy.evaluate(subject, this.host.sessionRules());
    if (verdict.source === 'implicit' && verdict.decision === 'allow') return allowed;
    const toolCall = { title: subject.title ?? method, kind: method === 'terminal/create' ? 'execute' : method === 'fs/read_text_file' ? 'read' : 'edit', rawInput: params };
    const outcome = await this.decide(method, subject, toolCall, GATE_OPTIONS, signal);
    return outcome.outcome === 'selected' && outcome.optionId !== 'reject' ? allowed : null;
  }

  /** Answer the agent with a committed decision (effect.answerPermission). */
  answer(approvalId: string, optionId: string | null): void {
    const resolve = this.waiting.get(approvalId);
    if (!resolve) return; // decided for a request of an earlier process (recovery): nobody is waiting
    this.waiting.delete(approvalId);
    resolve(optionId === null ? { outcome: 'cancelled' } : { outcome: 'selected', optionId });
  }

  /** Forget waiters whose agent is gone; their outcome no longer matters to anyone. */
  dropAll(): void {
    for (const resolve of this.waiting.values()) resolve({ outcome: 'cancelled' });
    this.waiting.clear();
  }

  private async decide(
    method: string,
    subject: PermissionSubject,
    toolCall: unknown,
    options: PermissionOptionLike[],
    signal: AbortSignal,
  ): Promise<PermissionOutcome> {
    const verdict = this.host.policy.evaluate(subject, this.host.sessionRules());
    const approvalId = newApprovalId();
    const answered = new Promise<PermissionOutcome>((resolve) => this.waiting.set(approvalId, resolve));
    const requested: NewEvent = {
      type: 'PermissionRequested',
      data: {
        approval_id: approvalId,
        turn: this.host.currentTurn(),
        method,
        tool_call: toolCall ?? null,
        options: options.map((o) => ({ optionId: o.optionId, name: o.name, kind: o.kind })),
        policy: verdict.decision,
        policy_source: verdict.source,
        ...(subject.realPaths !== undefined && subject.realPaths.length > 0 ? { real_paths: subject.realPaths } : {}),
        ...(verdict.protectedPath !== undefined ? { protected_path: verdict.protectedPath } : {}),
        deadline: verdict.decision === 'ask' ? deadlineFor(this.host.now(), this.host.approvalTimeoutSecs) : null,
      },
    };
    if (verdict.decision === 'ask') {
      await this.host.record([requested]);
    } else {
      const decision = policyToDecision(verdict.decision);
      const chosen = chooseOption(options, decision);
      await this.host.record([
        requested,
        {
          type: 'PermissionDecided',
          data: {
            approval_id: approvalId,
            decision,
            option_id: chosen.outcome === 'selected' ? chosen.optionId : null,
            decided_by: verdict.source === 'session_rule' ? 'session_rule' : 'policy',
          },
        },
      ]);
    }
    // the agent withdrew the request ($/cancel_request): answer cancelled through the log like any decision
    const onAbort = () => {
      if (!this.waiting.has(approvalId)) return;
      void this.host
        .decideIfPending({
          type: 'PermissionDecided',
          data: { approval_id: approvalId, decision: 'cancelled', option_id: null, decided_by: 'agent', reason: 'the agent withdrew the request' },
        })
        .catch(() => this.answer(approvalId, null));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return answered;
  }
}
