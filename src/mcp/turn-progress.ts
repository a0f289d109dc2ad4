// MCP progress for a running turn: follows the session's log from the turn's PromptSubmitted and sends one
// `notifications/progress` per agent message chunk (the chunk's text as the message). Following the log rather than
// the live connection means the notifications carry exactly what was recorded, in the recorded order.
import type { ProgressToken } from '@modelcontextprotocol/sdk/types.js';
import type { EventStore, RecordedEvent } from '../store/types.js';
import type { ToolExtra } from './tool-kit.js';

export interface TurnProgress {
  /** wait (bounded) until the log has been followed up to the turn's end, then stop following it */
  finish(): Promise<void>;
}

/** How long `finish` waits for the subscription to catch up with the turn's end before it gives up. */
const CATCH_UP_MS = 1000;

export function followTurnProgress(
  store: EventStore,
  sessionId: string,
  turn: number,
  afterPosition: number,
  token: ProgressToken,
  extra: ToolExtra,
): TurnProgress {
  let progress = 0;
  let sent: Promise<void> = Promise.resolve();
  let sawEnd: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (sawEnd = resolve));
  const subscription = store.subscribe(
    afterPosition,
    (events) => {
      for (const e of events) {
        if (e.type === 'TurnEnded' && (e.data as { turn?: unknown }).turn === turn) {
          sawEnd();
          return;
        }
        const text = chunkText(e);
        if (text === undefined) continue;
        const params = { progressToken: token, progress: ++progress, message: text };
        // one after the other, so they reach the client in log order and all before the tool's result
        sent = sent.then(() => extra.sendNotification({ method: 'notifications/progress', params }).catch(() => undefined));
      }
    },
    { streamId: `session:${sessionId}` },
  );
  return {
    async finish() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, CATCH_UP_MS)))]);
      clearTimeout(timer);
      subscription.close();
      await sent;
    },
  };
}

/** The text of an agent message chunk the agent sent (raw ACP traffic, as recorded), or undefined. */
function chunkText(e: RecordedEvent): string | undefined {
  // cheap test on the stored text before parsing: most traffic of a turn is something else
  if (e.type !== 'AcpMessage' || !e.dataText.includes('agent_message_chunk')) return undefined;
  const d = e.data as { dir?: unknown; msg?: { method?: unknown; params?: { update?: { sessionUpdate?: unknown; content?: { type?: unknown; text?: unknown } } } } };
  if (d.dir !== 'in' || d.msg?.method !== 'session/update') return undefined;
  const update = d.msg.params?.update;
  if (update?.sessionUpdate !== 'agent_message_chunk' || update.content?.type !== 'text') return undefined;
  return typeof update.content.text === 'string' ? update.content.text : undefined;
}
