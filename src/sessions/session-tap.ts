// The tap on one session's agent traffic: every message in and out is recorded raw. Protocol traffic lingers (it
// changes nothing, and a message chunk must not wait for an fsync); what we send is held until the agent's answer
// takes it along (RecordOptions.hold: sending a prompt costs no commit of its own); a call that acts on the world
// (client-call-effects.ts) is held back from its handler until its record is committed, and refused with a JSON-RPC
// error when that commit fails or when the session has failed. The refusal is recorded on the agent process's stream,
// which takes writes even when the session's own stream no longer does.
import type { AnyMessage } from '@agentclientprotocol/sdk';
import { CallRefusal, type StreamTap } from '../acp/tapped-stream.js';
import { acpMessageEvent } from '../events/session-events.js';
import type { Logger } from '../log/logger.js';
import type { RecordOptions } from '../actors/journaled-actor.js';
import type { NewEvent, RecordedEvent } from '../store/types.js';
import { JSON_RPC_INTERNAL_ERROR } from '../workspace/json-rpc-error.js';
import { actsOnTheWorld, agentCall, REFUSAL_MESSAGES, touchesWorkspace, type AgentCall, type RefusalReason } from './client-call-effects.js';

const LINGER: RecordOptions = { linger: true };
const HOLD: RecordOptions = { hold: true };

export interface SessionTapHost {
  readonly sessionId: string;
  readonly logger: Logger;
  /** append to the session's stream (agent principal) */
  record(events: NewEvent[], options?: RecordOptions): Promise<RecordedEvent[]>;
  /** the session failed, or its stream stopped taking writes: its workspace and terminals take no more calls */
  failed(): boolean;
  /** record a refused call where it can still be recorded (the agent process's stream) */
  recordRefusal(data: { session: string; id: AgentCall['id']; method: string; reason: RefusalReason }): Promise<unknown>;
  /** the running turn reads incoming traffic */
  observe(message: AnyMessage): void;
}

export class SessionTap implements StreamTap {
  /** session/load replays history that is already in our log: its updates are counted, not recorded */
  private replaying = false;
  private replayedUpdates = 0;
  /** the agent's answer to the transcript that primes a new ACP session belongs to no client turn */
  private priming = false;

  constructor(private readonly host: SessionTapHost) {}

  /** Turn the load-replay filter on or off; returns how many replayed updates it recognised. */
  setReplaying(on: boolean): number {
    this.replaying = on;
    if (on) this.replayedUpdates = 0;
    return this.replayedUpdates;
  }

  setPriming(on: boolean): void {
    this.priming = on;
  }

  incoming(msg: AnyMessage, line: string): void | Promise<void> {
    if (this.replaying && (msg as { method?: unknown }).method === 'session/update') {
      this.replayedUpdates++;
      return;
    }
    // stored byte for byte as the agent sent it (and without serialising the message a second time)
    const event = this.priming
      ? acpMessageEvent({ dir: 'in', msg, priming: true })
      : acpMessageEvent({ dir: 'in', msg }, `{"dir":"in","msg":${line}}`);
    if (!this.priming) this.host.observe(msg);
    const call = agentCall(msg);
    if (call === null || !touchesWorkspace(call.method)) return this.recordQuietly(event);
    if (this.host.failed()) {
      this.recordQuietly(event);
      return this.refuse(call, 'session_failed');
    }
    if (!actsOnTheWorld(call.method)) return this.recordQuietly(event); // reads change nothing
    // commit first: the handler runs only once the request is durably in the log
    return this.host.record([event]).then(
      () => undefined,
      (e: Error) => {
        this.host.logger.error('cannot record an agent call; refusing it', { session: this.host.sessionId, method: call.method, error: e });
        return this.refuse(call, 'not_recorded');
      },
    );
  }

  /** `line` is the message as written to the agent: stored as it is, not serialised a second time. */
  outgoing(msg: AnyMessage, line: string): void {
    const event = this.priming ? acpMessageEvent({ dir: 'out', msg, priming: true }) : acpMessageEvent({ dir: 'out', msg }, `{"dir":"out","msg":${line}}`);
    // held until the agent's answer (or the next record) takes it along: sending a prompt costs no commit of its own
    this.recordQuietly(event, HOLD);
  }

  unparsed(line: string, reason: string): void {
    this.recordQuietly({ type: 'AgentOutputSkipped', data: { line: line.slice(0, 4096), reason } });
  }

  /** Protocol traffic: it has gone out (or come in) already and nobody waits on its commit, so it may linger. */
  private recordQuietly(event: NewEvent, options: RecordOptions = LINGER): void {
    this.host
      .record([event], options)
      .catch((e: Error) => this.host.logger.error('cannot record agent traffic', { session: this.host.sessionId, error: e }));
  }

  private async refuse(call: AgentCall, reason: RefusalReason): Promise<never> {
    await this.host
      .recordRefusal({ session: this.host.sessionId, id: call.id, method: call.method, reason })
      .catch((e: Error) => this.host.logger.error('cannot record a refused agent call', { session: this.host.sessionId, method: call.method, error: e }));
    throw new CallRefusal(JSON_RPC_INTERNAL_ERROR, `${call.method}: ${REFUSAL_MESSAGES[reason]}`, { reason });
  }
}
