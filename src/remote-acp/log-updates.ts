// What a remote ACP client sees of a gateway session's log: the agent's `session/update` notifications as the agent
// sent them (unknown update kinds included), each stamped with its log position in `_meta` ("acp/cursor"), and, when
// the log is replayed (session/load, a reconnect), the prompts as `user_message_chunk`s.
import type { RecordedEvent } from '../store/types.js';

/** The `_meta` key that carries a message's log position (the protocol's durable-transport proposal). */
export const CURSOR_META = 'acp/cursor';

export interface SessionUpdateNotification {
  sessionId: string;
  update: Record<string, unknown>;
  _meta: Record<string, unknown>;
}

/**
 * The `session/update` notifications for one logged event (most events have none). `withPrompts` adds the prompts
 * a client submitted, which a live client already knows (it sent them) but a replay must show.
 */
export function updatesOf(e: RecordedEvent, sessionId: string, withPrompts: boolean): SessionUpdateNotification[] {
  const meta = { [CURSOR_META]: e.position };
  if (e.type === 'AcpMessage') {
    if (!e.dataText.includes('"session/update"')) return [];
    const d = e.data as { dir?: unknown; msg?: { method?: unknown; params?: { update?: unknown } } };
    const update = d.msg?.params?.update;
    if (d.dir !== 'in' || d.msg?.method !== 'session/update' || !isRecord(update)) return [];
    return [{ sessionId, update, _meta: meta }];
  }
  if (withPrompts && e.type === 'PromptSubmitted') {
    const prompt = (e.data as { prompt?: unknown }).prompt;
    if (!Array.isArray(prompt)) return [];
    return prompt.filter(isRecord).map((content) => ({ sessionId, update: { sessionUpdate: 'user_message_chunk', content }, _meta: meta }));
  }
  return [];
}

/** The JSON-RPC text of a notification, as the SDK writes it on the wire (what SSE replays send). */
export function notificationText(n: SessionUpdateNotification): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: n });
}

/** The log position a wire message carries in `params._meta["acp/cursor"]`, if any. */
export function cursorOf(message: unknown): number | undefined {
  if (!isRecord(message)) return undefined;
  const params = message.params;
  if (!isRecord(params) || !isRecord(params._meta)) return undefined;
  const c = params._meta[CURSOR_META];
  return typeof c === 'number' && Number.isSafeInteger(c) ? c : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
