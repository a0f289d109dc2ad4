// One remote ACP client following one gateway session: the session's log, from a position on, forwarded to the
// client as it is committed (a StreamCursor, so nothing is lost or doubled however fast the agent writes), and the
// permission requests a person must decide (policy `ask`) asked of the client as well as listed in
// /api/v1/approvals: the first decision wins, the other side's request is withdrawn (`$/cancel_request`).
import type { AgentContext } from '@agentclientprotocol/sdk/unstable';
import type { GatewayServices } from '../http/services.js';
import type { EventMeta, RecordedEvent } from '../store/types.js';
import type { StreamCursor, StreamFormat } from '../streams/stream-cursor.js';
import { memoFrames } from '../streams/client-messages.js';
import { updatesOf, type SessionUpdateNotification } from './log-updates.js';

/** What the link does with one logged event (the frames of its StreamCursor are these, as JSON). */
type Step =
  | { k: 'update'; p: number; n: SessionUpdateNotification[]; prompt: boolean }
  | { k: 'ask'; p: number; approval_id: string; tool_call: unknown; options: { optionId: string; name?: string; kind: string }[] }
  | { k: 'decided'; p: number; approval_id: string }
  | { k: 'mark'; p: number };

/** One rendering per event for every link (the frames are shared through memoFrames). */
const FORMAT: StreamFormat = {
  frame: memoFrames((e: RecordedEvent) => JSON.stringify(stepOf(e))),
};

/** Every event is a step (a `mark` when the client sees nothing of it), so the link always knows how far it got. */
function stepOf(e: RecordedEvent): Step {
  const sessionId = e.streamId.slice('session:'.length);
  switch (e.type) {
    case 'AcpMessage': {
      const n = updatesOf(e, sessionId, false);
      return n.length ? { k: 'update', p: e.position, n, prompt: false } : { k: 'mark', p: e.position };
    }
    case 'PromptSubmitted':
      return { k: 'update', p: e.position, n: updatesOf(e, sessionId, true), prompt: true };
    case 'PermissionRequested': {
      const d = e.data as { approval_id: string; policy: string; tool_call: unknown; options: { optionId: string; name?: string; kind: string }[] };
      return d.policy === 'ask' ? { k: 'ask', p: e.position, approval_id: d.approval_id, tool_call: d.tool_call, options: d.options } : { k: 'mark', p: e.position };
    }
    case 'PermissionDecided':
      return { k: 'decided', p: e.position, approval_id: (e.data as { approval_id: string }).approval_id };
    default:
      return { k: 'mark', p: e.position };
  }
}

export class SessionLink {
  private cursor: StreamCursor | undefined;
  /** the newest log position this link has handed to the client */
  private reached = 0;
  /** prompts up to this position are part of a replay (session/load) and shown as user_message_chunks */
  private replayUntil = 0;
  private readonly waiters: { position: number; resolve: () => void }[] = [];
  private readonly asked = new Map<string, AbortController>();
  private closed = false;

  constructor(
    private readonly gw: GatewayServices,
    readonly sessionId: string,
    private readonly client: AgentContext,
    /** who the client is: recorded with the decisions it makes */
    private readonly meta: EventMeta,
  ) {}

  /** Forward the session's log after `after` (prompts up to `replayUntil` included), then follow it live. */
  follow(after: number, replayUntil = 0): void {
    if (this.cursor) this.gw.streams.close(this.cursor);
    this.reached = after;
    this.replayUntil = replayUntil;
    this.cursor = this.gw.streams.open(
      this.sessionId,
      after,
      { write: (frames) => this.write(frames), onWritable: () => undefined, end: () => undefined, close: () => this.stop() },
      FORMAT,
    );
  }

  /** Prompts up to this position belong to a replay. */
  get replayedUntil(): number {
    return this.replayUntil;
  }

  /** Resolves once everything up to `position` was handed to the client (a prompt answers after its updates). */
  past(position: number): Promise<void> {
    if (this.reached >= position || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  stop(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.cursor) this.gw.streams.close(this.cursor);
    for (const a of this.asked.values()) a.abort();
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private write(frames: string[]): boolean {
    for (const f of frames) this.handle(JSON.parse(f) as Step);
    return true; // the SDK's connection holds what the client has not read yet (within its maxBufferedBytes)
  }

  private handle(step: Step): void {
    if (this.closed) return;
    switch (step.k) {
      case 'update':
        if (!step.prompt || step.p <= this.replayUntil) {
          for (const n of step.n) void this.client.notify('session/update', n as never).catch(() => undefined);
        }
        break;
      case 'ask':
        void this.ask(step);
        break;
      case 'decided':
        this.asked.get(step.approval_id)?.abort();
        break;
    }
    this.reached = step.p;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.position <= step.p) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  /** Ask the client too; whoever decides first wins (the approval service refuses the second decision). */
  private async ask(step: Extract<Step, { k: 'ask' }>): Promise<void> {
    if (this.asked.has(step.approval_id)) return;
    // the store tells its listeners of a commit before the actor has folded it: wait for the fold, then look
    const actor = this.gw.sessions.actor(this.sessionId);
    await actor.settled();
    if (!(step.approval_id in actor.snapshot().context.approvals) || this.asked.has(step.approval_id)) return; // decided already
    const withdrawn = new AbortController();
    this.asked.set(step.approval_id, withdrawn);
    try {
      const answer = (await this.client.request(
        'session/request_permission',
        { sessionId: this.sessionId, toolCall: step.tool_call, options: step.options, _meta: { 'aintegrix/approval_id': step.approval_id } } as never,
        { cancellationSignal: withdrawn.signal, stopWaitingOnCancel: true },
      )) as { outcome?: { outcome?: string; optionId?: string } };
      if (withdrawn.signal.aborted) return; // decided elsewhere meanwhile
      const chosen = answer.outcome?.outcome === 'selected' ? step.options.find((o) => o.optionId === answer.outcome?.optionId) : undefined;
      const decision = chosen && isDecision(chosen.kind) ? chosen.kind : 'reject_once';
      await this.gw.approvals.decide(step.approval_id, { decision, reason: 'decided by the remote ACP client' }, this.meta);
    } catch {
      // the request was withdrawn, the connection closed, or someone else decided first: nothing to do
    } finally {
      this.asked.delete(step.approval_id);
    }
  }
}

const DECISIONS = ['allow_once', 'allow_always', 'reject_once', 'reject_always'] as const;
function isDecision(kind: string): kind is (typeof DECISIONS)[number] {
  return (DECISIONS as readonly string[]).includes(kind);
}
