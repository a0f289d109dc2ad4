// The sessions this agent process currently serves ("live"), backed by the optional on-disk store.
import { randomUUID } from 'node:crypto';
import { RequestError } from '@agentclientprotocol/sdk/unstable';
import type { ContentBlock, SessionInfo } from '@agentclientprotocol/sdk/unstable';
import { DEFAULT_MODE_ID, DEFAULT_MODEL_ID } from './models.js';
import type { SessionRecord, SessionStore, TurnRecord } from './session-store.js';

const TITLE_MAX_CHARS = 100;

/** A session served by this process; `turn` is set while a session/prompt runs. */
export class LiveSession {
  turn: { abort: AbortController; record: TurnRecord } | null = null;

  constructor(readonly record: SessionRecord) {}

  get id(): string {
    return this.record.sessionId;
  }

  /** Starts a turn: the prompt is recorded at once, so it survives an agent crash in the middle of the turn. */
  beginTurn(prompt: ContentBlock[], promptText: string): { abort: AbortController; record: TurnRecord } {
    const record: TurnRecord = { prompt, promptText, updates: [] };
    this.record.turns.push(record);
    if (this.record.title === null) this.record.title = titleOf(promptText);
    this.record.updatedAt = new Date().toISOString();
    this.turn = { abort: new AbortController(), record };
    return this.turn;
  }

  endTurn(): void {
    this.turn = null;
    this.record.updatedAt = new Date().toISOString();
  }

  cancelTurn(): void {
    this.turn?.abort.abort();
  }
}

function titleOf(promptText: string): string {
  const oneLine = promptText.replace(/\s+/g, ' ').trim();
  return oneLine.length > TITLE_MAX_CHARS ? `${oneLine.slice(0, TITLE_MAX_CHARS - 1)}…` : oneLine;
}

export class SessionRegistry {
  private readonly live = new Map<string, LiveSession>();

  constructor(private readonly store: SessionStore) {}

  create(cwd: string): LiveSession {
    const now = new Date().toISOString();
    const session = new LiveSession({
      sessionId: randomUUID(),
      cwd,
      title: null,
      createdAt: now,
      updatedAt: now,
      modelId: DEFAULT_MODEL_ID,
      modeId: DEFAULT_MODE_ID,
      turns: [],
    });
    this.live.set(session.id, session);
    this.save(session);
    return session;
  }

  /** The live session, or -32002 (sessionNotFound). */
  requireLive(sessionId: string): LiveSession {
    const session = this.live.get(sessionId);
    if (!session) throw RequestError.sessionNotFound(sessionId);
    return session;
  }

  /** Makes a session live again (from memory or the store) for session/load and session/resume. */
  revive(sessionId: string, cwd: string): LiveSession {
    let session = this.live.get(sessionId);
    if (!session) {
      const record = this.store.read(sessionId);
      if (!record) throw RequestError.sessionNotFound(sessionId);
      session = new LiveSession(record);
      this.live.set(sessionId, session);
    }
    session.record.cwd = cwd;
    return session;
  }

  /** A copy of a live or stored session under a new id (session/fork). */
  fork(sessionId: string, cwd: string): LiveSession {
    const source = this.live.get(sessionId)?.record ?? this.store.read(sessionId);
    if (!source) throw RequestError.sessionNotFound(sessionId);
    const now = new Date().toISOString();
    const copy: SessionRecord = structuredClone({ ...source, sessionId: randomUUID(), cwd, createdAt: now, updatedAt: now });
    const session = new LiveSession(copy);
    this.live.set(session.id, session);
    this.save(session);
    return session;
  }

  /** Ends the session in this process (running turn cancelled); the stored copy stays loadable. */
  close(sessionId: string): void {
    const session = this.requireLive(sessionId);
    session.cancelTurn();
    this.live.delete(sessionId);
  }

  get(sessionId: string): LiveSession | undefined {
    return this.live.get(sessionId);
  }

  save(session: LiveSession): void {
    this.store.write(session.record);
  }

  /** Stored and live sessions (live wins), newest first. */
  list(cwd: string | null | undefined): SessionInfo[] {
    const byId = new Map<string, SessionRecord>();
    for (const record of this.store.list()) byId.set(record.sessionId, record);
    for (const session of this.live.values()) byId.set(session.id, session.record);
    return [...byId.values()]
      .filter((r) => !cwd || r.cwd === cwd)
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))
      .map((r) => ({ sessionId: r.sessionId, cwd: r.cwd, title: r.title, updatedAt: r.updatedAt }));
  }
}
