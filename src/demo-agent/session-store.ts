// Persistence of demo-agent sessions as one JSON file per session, so that a new agent process can
// session/load or session/resume a session an earlier process created (like claude-agent-acp's jsonl files).
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContentBlock, SessionUpdate } from '@agentclientprotocol/sdk/unstable';

/** One prompt turn: what the user sent and the updates the agent answered with (text chunks merged). */
export interface TurnRecord {
  prompt: ContentBlock[];
  /** the concatenated text blocks of the prompt */
  promptText: string;
  updates: SessionUpdate[];
}

export interface SessionRecord {
  sessionId: string;
  cwd: string;
  /** the first prompt's text, shortened; null until the first prompt */
  title: string | null;
  createdAt: string;
  updatedAt: string;
  modelId: string;
  modeId: string;
  turns: TurnRecord[];
}

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.sessionId === 'string' &&
    typeof r.cwd === 'string' &&
    typeof r.modelId === 'string' &&
    typeof r.modeId === 'string' &&
    typeof r.updatedAt === 'string' &&
    Array.isArray(r.turns)
  );
}

/** A directory of `<sessionId>.json` files, or nothing at all when `dir` is null (memory-only agent). */
export class SessionStore {
  constructor(private readonly dir: string | null) {
    if (dir !== null) mkdirSync(dir, { recursive: true });
  }

  get persistent(): boolean {
    return this.dir !== null;
  }

  read(sessionId: string): SessionRecord | undefined {
    // The id comes from the client: never let it name a path outside the store.
    if (this.dir === null || !SESSION_ID_PATTERN.test(sessionId)) return undefined;
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(this.dir, `${sessionId}.json`), 'utf8'));
      return isSessionRecord(parsed) && parsed.sessionId === sessionId ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes atomically (temp file + rename) so a concurrently starting agent never reads half a file. */
  write(record: SessionRecord): void {
    if (this.dir === null) return;
    const file = join(this.dir, `${record.sessionId}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, file);
  }

  list(): SessionRecord[] {
    if (this.dir === null) return [];
    const records: SessionRecord[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const record = this.read(name.slice(0, -'.json'.length));
      if (record) records.push(record);
    }
    return records;
  }
}
