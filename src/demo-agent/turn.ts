// One session/prompt turn as the behaviours see it: send updates (recorded into the session history), call
// the client, write raw lines, and watch for cancellation.
import type { AgentContext, ClientCapabilities, PromptResponse, SessionUpdate } from '@agentclientprotocol/sdk/unstable';
import type { StdoutChannel } from './stdout-channel.js';
import type { TurnRecord } from './session-store.js';
import type { ParsedPrompt } from './prompt.js';

export interface TurnSetup {
  sessionId: string;
  cwd: string;
  prompt: ParsedPrompt;
  client: AgentContext;
  clientCapabilities: ClientCapabilities;
  /** aborted by session/cancel, session/close, $/cancel_request of the prompt, or connection close */
  signal: AbortSignal;
  channel: StdoutChannel;
  /** where this turn's updates are recorded (already part of `history`) */
  record: TurnRecord;
  /** the whole history of the session, this turn included */
  history: readonly TurnRecord[];
  modelId: string;
  modeId: string;
  /** false: the agent reports no usage (usage_update updates and PromptResponse.usage are left out) */
  reportUsage?: boolean;
}

export class Turn {
  readonly sessionId: string;
  readonly cwd: string;
  readonly prompt: ParsedPrompt;
  readonly client: AgentContext;
  readonly clientCapabilities: ClientCapabilities;
  readonly signal: AbortSignal;
  readonly history: readonly TurnRecord[];
  readonly modelId: string;
  readonly modeId: string;
  private readonly reportUsage: boolean;
  private readonly channel: StdoutChannel;
  private readonly record: TurnRecord;
  private lastSend: Promise<void> = Promise.resolve();

  constructor(setup: TurnSetup) {
    ({
      sessionId: this.sessionId,
      cwd: this.cwd,
      prompt: this.prompt,
      client: this.client,
      clientCapabilities: this.clientCapabilities,
      signal: this.signal,
      channel: this.channel,
      record: this.record,
      history: this.history,
      modelId: this.modelId,
      modeId: this.modeId,
    } = setup);
    this.reportUsage = setup.reportUsage ?? true;
  }

  get cancelled(): boolean {
    return this.signal.aborted;
  }

  /** The response that ends this turn normally: `cancelled` if a cancel arrived meanwhile. */
  finish(extra: Omit<PromptResponse, 'stopReason'> = {}): PromptResponse {
    const { usage, ...rest } = extra;
    return { ...rest, ...(usage && this.reportUsage ? { usage } : {}), stopReason: this.cancelled ? 'cancelled' : 'end_turn' };
  }

  /**
   * Sends a session/update and records it. Does not have to be awaited (the SDK keeps the order); the promise
   * never rejects, so fire-and-forget loops cannot produce unhandled rejections when the client goes away.
   */
  send(update: SessionUpdate): Promise<void> {
    if (update.sessionUpdate === 'usage_update' && !this.reportUsage) return Promise.resolve();
    this.recordUpdate(update);
    const sent = this.client
      .notify('session/update', { sessionId: this.sessionId, update })
      .catch(() => undefined);
    this.lastSend = sent;
    return sent;
  }

  say(text: string): Promise<void> {
    return this.send({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } });
  }

  think(text: string): Promise<void> {
    return this.send({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text } });
  }

  /** Resolves once every update sent so far has been handed to stdout. */
  flush(): Promise<void> {
    return this.lastSend;
  }

  /** Like flush(), and then pushes the bytes to the OS at once: for a process.exit right after. */
  async flushToOs(): Promise<void> {
    await this.lastSend;
    this.channel.flush();
  }

  /** Writes a JSON value as one raw stdout line, bypassing the SDK (and its types). Not recorded. */
  async raw(message: unknown): Promise<void> {
    await this.rawLine(JSON.stringify(message));
  }

  /** Writes an arbitrary line to stdout after everything sent before it. */
  async rawLine(line: string): Promise<void> {
    await this.lastSend;
    const written = this.channel.writeLine(line).catch(() => undefined);
    this.lastSend = written;
    await written;
  }

  /** Sleeps, waking early (without error) when the turn is cancelled. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.signal.addEventListener('abort', done);
    });
  }

  /** Races a client call against cancellation; `onCancel` is the value when the turn is cancelled first. */
  untilCancelled<T>(work: Promise<T>, onCancel: T): Promise<T> {
    if (this.signal.aborted) {
      work.catch(() => undefined);
      return Promise.resolve(onCancel);
    }
    return new Promise<T>((resolve, reject) => {
      const cancel = (): void => resolve(onCancel);
      this.signal.addEventListener('abort', cancel, { once: true });
      work.then(
        (v) => {
          this.signal.removeEventListener('abort', cancel);
          resolve(v);
        },
        (e: unknown) => {
          this.signal.removeEventListener('abort', cancel);
          reject(e);
        },
      );
    });
  }

  /** History keeps consecutive text chunks as one (claude-agent-acp replays a whole answer as one chunk). */
  private recordUpdate(update: SessionUpdate): void {
    const updates = this.record.updates;
    const last = updates[updates.length - 1];
    if (
      (update.sessionUpdate === 'agent_message_chunk' || update.sessionUpdate === 'agent_thought_chunk') &&
      update.content.type === 'text' &&
      last !== undefined &&
      last.sessionUpdate === update.sessionUpdate &&
      last.content.type === 'text'
    ) {
      updates[updates.length - 1] = { ...last, content: { ...last.content, text: last.content.text + update.content.text } };
      return;
    }
    updates.push(update);
  }
}
