// Spans of turns, made from the committed log: a span per turn (PromptSubmitted to TurnEnded) with child spans for
// the agent's first update, each permission wait, each tool call and each store commit that wrote the turn's
// events. Every span carries the log position of the event that began it (`aintegrix.log.position`) and of the one
// that ended it (`aintegrix.log.end_position`), so a slow turn found on a dashboard leads straight to its events
// (GET /api/v1/sessions/{id}/events?after=<position - 1>). Built from commits rather than from the code that runs
// the turn: what is traced is exactly what is on record, and the turn's code stays free of tracing.
import { ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { CommitTiming, RecordedEvent } from '../store/types.js';
import { agentOfSession, isAgentSessionUpdate } from './live-histograms.js';

interface TurnTrace {
  span: Span;
  ctx: Context;
  firstUpdate: Span | undefined;
  tools: Map<string, Span>;
  approvals: Map<string, Span>;
}

const toEpochMs = (perf: number) => performance.timeOrigin + perf;

export class TurnTracer {
  private readonly turns = new Map<string, TurnTrace>();

  constructor(private readonly tracer: Tracer) {}

  observeCommit(events: readonly RecordedEvent[], commit: CommitTiming | undefined): void {
    if (!commit) return;
    const startedAt = toEpochMs(commit.startedAt);
    const committedAt = startedAt + commit.durationMs;
    /** per traced session: the span of its turn and the positions this commit wrote */
    const written = new Map<string, { turn: TurnTrace; first: number; last: number; n: number }>();
    const ended: { turn: TurnTrace; e: RecordedEvent }[] = [];
    for (const e of events) {
      if (!e.streamId.startsWith('session:')) continue;
      if (e.type === 'PromptSubmitted') this.startTurn(e, startedAt);
      const turn = this.turns.get(e.streamId);
      if (!turn) continue;
      const w = written.get(e.streamId);
      if (w) (w.last = e.position), w.n++;
      else written.set(e.streamId, { turn, first: e.position, last: e.position, n: 1 });
      this.observe(turn, e, committedAt);
      // a session that closes or fails while a turn runs ends it without a TurnEnded
      if (e.type === 'TurnEnded' || e.type === 'SessionClosed' || e.type === 'SessionFailed') {
        this.turns.delete(e.streamId);
        ended.push({ turn, e });
      }
    }
    for (const w of written.values()) {
      const span = this.tracer.startSpan('store.commit', {
        startTime: startedAt,
        attributes: {
          'aintegrix.log.position': w.first,
          'aintegrix.log.end_position': w.last,
          'aintegrix.store.events': w.n,
          'aintegrix.store.batch_events': events.length,
        },
      }, w.turn.ctx);
      span.end(committedAt);
    }
    for (const { turn, e } of ended) this.endTurn(turn, e, committedAt);
  }

  private startTurn(e: RecordedEvent, at: number): void {
    const d = e.data as { turn: number };
    const sessionId = e.streamId.slice('session:'.length);
    const span = this.tracer.startSpan('turn', {
      startTime: at,
      attributes: {
        'aintegrix.session.id': sessionId,
        'aintegrix.agent': agentOfSession(e.streamId),
        'aintegrix.turn': d.turn,
        'aintegrix.log.position': e.position,
      },
    }, ROOT_CONTEXT);
    const ctx = trace.setSpan(ROOT_CONTEXT, span);
    const firstUpdate = this.tracer.startSpan('agent.first_update', { startTime: at, attributes: { 'aintegrix.log.position': e.position } }, ctx);
    this.turns.get(e.streamId)?.span.end(at); // a turn left open (never in a sound log)
    this.turns.set(e.streamId, { span, ctx, firstUpdate, tools: new Map(), approvals: new Map() });
  }

  private observe(turn: TurnTrace, e: RecordedEvent, at: number): void {
    switch (e.type) {
      case 'AcpMessage': {
        if (!isAgentSessionUpdate(e)) return;
        if (turn.firstUpdate) {
          turn.firstUpdate.setAttribute('aintegrix.log.end_position', e.position);
          turn.firstUpdate.end(at);
          turn.firstUpdate = undefined;
        }
        this.toolUpdate(turn, e, at);
        return;
      }
      case 'PermissionRequested': {
        const d = e.data as { approval_id: string; method: string; policy: string };
        const span = this.tracer.startSpan('permission.wait', {
          startTime: at,
          attributes: { 'aintegrix.approval.id': d.approval_id, 'aintegrix.approval.method': d.method, 'aintegrix.approval.policy': d.policy, 'aintegrix.log.position': e.position },
        }, turn.ctx);
        turn.approvals.set(d.approval_id, span);
        return;
      }
      case 'PermissionDecided': {
        const d = e.data as { approval_id: string; decision: string };
        const span = turn.approvals.get(d.approval_id);
        if (!span) return;
        turn.approvals.delete(d.approval_id);
        span.setAttributes({ 'aintegrix.approval.decision': d.decision, 'aintegrix.log.end_position': e.position });
        span.end(at);
        return;
      }
    }
  }

  /** tool_call opens a span, a tool_call_update that completes or fails it ends it. */
  private toolUpdate(turn: TurnTrace, e: RecordedEvent, at: number): void {
    const u = (e.data as { msg: { params?: { update?: Record<string, unknown> } } }).msg.params?.update;
    if (!u || (u.sessionUpdate !== 'tool_call' && u.sessionUpdate !== 'tool_call_update')) return;
    const id = String(u.toolCallId ?? '');
    let span = turn.tools.get(id);
    if (!span && u.sessionUpdate === 'tool_call') {
      span = this.tracer.startSpan('tool_call', {
        startTime: at,
        attributes: {
          'aintegrix.tool.call_id': id,
          'aintegrix.tool.kind': String(u.kind ?? 'other'),
          'aintegrix.tool.title': String(u.title ?? ''),
          'aintegrix.log.position': e.position,
        },
      }, turn.ctx);
      turn.tools.set(id, span);
    }
    if (span && (u.status === 'completed' || u.status === 'failed')) {
      turn.tools.delete(id);
      span.setAttributes({ 'aintegrix.tool.status': u.status, 'aintegrix.log.end_position': e.position });
      if (u.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: 'tool call failed' });
      span.end(at);
    }
  }

  private endTurn(turn: TurnTrace, e: RecordedEvent, at: number): void {
    const d = (e.type === 'TurnEnded'
      ? e.data
      : { outcome: e.type === 'SessionFailed' ? 'session_failed' : 'session_closed', stop_reason: null, error: e.type === 'SessionFailed' ? e.data : null }) as {
      outcome: string;
      stop_reason: string | null;
      error: { code: string; message: string } | null;
    };
    // what is still open ended with the turn, its outcome unknown
    for (const s of [turn.firstUpdate, ...turn.tools.values(), ...turn.approvals.values()]) {
      if (!s) continue;
      s.setAttribute('aintegrix.ended_with_turn', true);
      s.end(at);
    }
    turn.span.setAttributes({
      'aintegrix.turn.outcome': d.outcome,
      'aintegrix.turn.stop_reason': d.stop_reason ?? '',
      'aintegrix.log.end_position': e.position,
    });
    if (d.outcome !== 'completed' && d.outcome !== 'cancelled') {
      turn.span.setStatus({ code: SpanStatusCode.ERROR, message: d.error ? `${d.error.code}: ${d.error.message}` : d.outcome });
    }
    turn.span.end(at);
  }
}
