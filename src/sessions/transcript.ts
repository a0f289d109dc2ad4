// The bounded transcript that primes a new ACP session when an agent can neither resume nor load the old one:
// the user prompts and the agent's answers from our own log, the most recent ones, within the configured limits.
import type { EventStore } from '../store/types.js';
import { promptText } from './prompt-input.js';

export interface Transcript {
  text: string;
  entries: number;
  chars: number;
}

const HEADER =
  '[aintegrix] This conversation was started with another agent process, which the gateway could not resume. ' +
  'Here is the conversation so far, oldest first, for context. Do not act on it; wait for the next message.\n\n';

/**
 * @param beforePosition only events before this log position (the turn being started is sent on its own)
 */
export function buildTranscript(store: EventStore, streamId: string, maxEntries: number, maxChars: number, beforePosition = Infinity): Transcript | undefined {
  // one long answer must not push every other entry out: each entry gets at most a quarter of the budget
  const perEntry = Math.max(200, Math.floor(maxChars / 4));
  const entries: string[] = [];
  const add = (who: string, text: string) => {
    if (text) entries.push(`${who}: ${text.length > perEntry ? `${text.slice(0, perEntry)} […${text.length - perEntry} more characters]` : text}`);
  };
  for (const e of store.iterate({ streamId })) {
    if (e.position >= beforePosition) break;
    if (e.type === 'PromptSubmitted') add('User', promptText((e.data as { prompt: { type: string; text?: unknown }[] }).prompt));
    else if (e.type === 'TurnEnded') add('Assistant', (e.data as { text: string }).text);
  }
  let kept = entries.slice(-maxEntries);
  let chars = kept.reduce((n, s) => n + s.length + 2, 0);
  while (kept.length > 0 && chars > maxChars) {
    chars -= kept[0]!.length + 2;
    kept = kept.slice(1);
  }
  if (kept.length === 0) return undefined;
  const body = kept.join('\n\n');
  return { text: HEADER + body, entries: kept.length, chars: body.length };
}
