// What prompt-stream clients (SSE and WebSocket) see of a session's log. Each logged event maps to at most one
// client message; the rest of the log (raw outgoing traffic, attach records, ...) is in the events API.
import type { RecordedEvent } from '../store/types.js';
import { sseFrame } from './sse-frame.js';

export type ClientMessageKind = 'session_created' | 'repo_cloned' | 'session_routed' | 'session_update' | 'permission_request' | 'permission_decided' | 'turn_complete' | 'error';

export interface ClientMessage {
  kind: ClientMessageKind;
  data: Record<string, unknown>;
}

const iso = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

/** The client message for a logged event, or undefined when clients of prompt streams do not see it. */
export function clientMessage(e: RecordedEvent): ClientMessage | undefined {
  switch (e.type) {
    case 'AcpMessage': {
      // cheap pre-check on the stored text before parsing: only incoming session/update notifications are shown
      if (!e.dataText.includes('"session/update"')) return undefined;
      const d = e.data as { dir?: unknown; msg?: { method?: unknown; params?: { update?: Record<string, unknown> } } };
      const update = d.msg?.params?.update;
      if (d.dir !== 'in' || d.msg?.method !== 'session/update' || !update || typeof update !== 'object') return undefined;
      return { kind: 'session_update', data: update };
    }
    case 'SessionCreated': {
      const d = e.data as { id: string; agent: string; model: string | null; workspace: string };
      return { kind: 'session_created', data: { session_id: d.id, agent: d.agent, model: d.model, workspace_root: d.workspace } };
    }
    case 'RepoCloned':
      return { kind: 'repo_cloned', data: e.data as Record<string, unknown> };
    case 'SessionRouted':
      return { kind: 'session_routed', data: e.data as Record<string, unknown> };
    case 'PermissionRequested': {
      const d = e.data as Record<string, unknown>;
      return {
        kind: 'permission_request',
        data: {
          approval_id: d.approval_id,
          turn: d.turn,
          method: d.method,
          tool_call: d.tool_call,
          options: d.options,
          policy: d.policy,
          deadline: iso(d.deadline),
        },
      };
    }
    case 'PermissionDecided': {
      const d = e.data as Record<string, unknown>;
      return {
        kind: 'permission_decided',
        data: { approval_id: d.approval_id, decision: d.decision, option_id: d.option_id, decided_by: d.decided_by, reason: d.reason ?? null },
      };
    }
    case 'TurnEnded': {
      const d = e.data as { turn: number; outcome: string; stop_reason: string | null; text: string; usage?: unknown; error: { code: string; message: string } | null };
      const result = { turn: d.turn, outcome: d.outcome, stop_reason: d.stop_reason, text: d.text, usage: d.usage ?? null };
      if (d.error && !(d.outcome === 'cancelled' && d.stop_reason === 'cancelled')) {
        return { kind: 'error', data: { code: d.error.code, message: d.error.message, ...result } };
      }
      return { kind: 'turn_complete', data: result };
    }
    default:
      return undefined;
  }
}

/** Does `e` end turn `turn` (the end of a prompt stream)? */
export function endsTurn(e: RecordedEvent, turn: number): boolean {
  return e.type === 'TurnEnded' && (e.data as { turn: number }).turn === turn;
}

/**
 * WebSocket message for a client message. API.txt shows `session_update` data as `{"type": "agent_message_chunk",
 * "text": "..."}`: the ACP update keeps every field as sent, and gets `type` (its sessionUpdate) and, for text
 * content, `text` added for those clients.
 */
export function wsMessage(position: number, m: ClientMessage): string {
  let data = m.data;
  if (m.kind === 'session_update') {
    const content = data.content as { type?: unknown; text?: unknown } | undefined;
    data = { ...data, type: data.sessionUpdate, ...(content?.type === 'text' && typeof content.text === 'string' ? { text: content.text } : {}) };
  }
  return JSON.stringify({ type: m.kind, position, data });
}

/** How many recent renderings each memo keeps (a ring indexed by log position). */
const MEMO_SIZE = 2048;

/**
 * Memoises one rendering per event: a batch is rendered once, whatever the number of clients, and so is a page a
 * lagging client reads again from the log (a new object for the same event). The memo is a ring indexed by log
 * position, holding positions, hashes and frames (never the events); an entry counts only for the same position and
 * hash (the hash covers the event's content, so two stores in one process cannot mix their events up).
 */
export function memoFrames(render: (e: RecordedEvent) => string | undefined): (e: RecordedEvent) => string | undefined {
  let positions: Float64Array | undefined;
  let hashes: (string | undefined)[] = [];
  let frames: (string | undefined)[] = [];
  return (e) => {
    const i = e.position & (MEMO_SIZE - 1);
    if (positions === undefined) {
      // made on the first rendering: a gateway that never streams keeps no ring
      positions = new Float64Array(MEMO_SIZE);
      hashes = new Array<string | undefined>(MEMO_SIZE).fill(undefined);
      frames = new Array<string | undefined>(MEMO_SIZE).fill(undefined);
    } else if (positions[i] === e.position && hashes[i] === e.hash) return frames[i];
    const f = render(e);
    positions[i] = e.position;
    hashes[i] = e.hash;
    frames[i] = f;
    return f;
  };
}

export const renderSse = memoFrames((e) => {
  const m = clientMessage(e);
  return m ? sseFrame(e.position, JSON.stringify(m.data), m.kind) : undefined;
});

export const renderWs = memoFrames((e) => {
  const m = clientMessage(e);
  return m ? wsMessage(e.position, m) : undefined;
});
