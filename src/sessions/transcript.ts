// The bounded transcript that primes a new ACP session when an agent can neither resume nor load the old one, or
// when a session is forked by transcript: the user prompts and the agent's answers from our own log, the most recent
// ones, within the configured limits. A forked session's conversation starts with its source's, up to the position
// it was forked at (and so on up the chain of forks), so the transcript follows `forked_from` links in the log.
import type { EventStore } from '../store/types.js';
import { promptText } from './prompt-input.js';

export interface Transcript {
  text: string;
  entries: number;
  chars: number;
}

/** Why the new ACP session needs the conversation: a re-attach the agent could not resume, or a fork. */
export type TranscriptReason = 'recovery' | 'fork';

const HEADERS: Record<TranscriptReason, string> = {
  recovery:
    '[aintegrix] This conversation was started with another agent process, which the gateway could not resume. ' +
    'Here is the conversation so far, oldest first, for context. Do not act on it; wait for the next message.\n\n',
  fork:
    '[aintegrix] This session is a fork of an earlier conversation. Here is that conversation up to the fork, ' +
    'oldest first, for context. Do not act on it; wait for the next message.\n\n',
};

/** One stretch of a log: the events of `streamId` before `beforePosition`. */
interface Segment {
  streamId: string;
  beforePosition: number;
}

/** forks of forks are followed this deep (a cycle cannot be written, but a bound costs nothing) */
const MAX_FORK_DEPTH = 16;

/**
 * The stretches of log that make up a session's conversation, oldest first: its source's (up to the fork position,
 * inclusive), recursively, then its own before `beforePosition`.
 */
function conversationSegments(store: EventStore, streamId: string, beforePosition: number): Segment[] {
  const segments: Segment[] = [{ streamId, beforePosition }];
  let current = streamId;
  for (let depth = 0; depth < MAX_FORK_DEPTH; depth++) {
    const created = store.readStream(current, 1, 1)[0];
    const origin = (created?.data as { forked_from?: { session_id: string; position: number } } | undefined)?.forked_from;
    if (created?.type !== 'SessionCreated' || !origin) break;
    current = `session:${origin.session_id}`;
    segments.unshift({ streamId: current, beforePosition: origin.position + 1 });
  }
  return segments;
}

/**
 * @param beforePosition only events of this session before this log position (the turn being started is sent on
 *   its own); a fork's source is read up to its fork position whatever this is
 */
export function buildTranscript(
  store: EventStore,
  streamId: string,
  maxEntries: number,
  maxChars: number,
  beforePosition = Infinity,
  reason: TranscriptReason = 'recovery',
): Transcript | undefined {
  // one long answer must not push every other entry out: each entry gets at most a quarter of the budget
  const perEntry = Math.max(200, Math.floor(maxChars / 4));
  const entries: string[] = [];
  const add = (who: string, text: string) => {
    if (text) entries.push(`${who}: ${text.length > perEntry ? `${text.slice(0, perEntry)} […${text.length - perEntry} more characters]` : text}`);
  };
  for (const segment of conversationSegments(store, streamId, beforePosition)) {
    for (const e of store.iterate({ streamId: segment.streamId })) {
      if (e.position >= segment.beforePosition) break;
      if (e.type === 'PromptSubmitted') add('User', promptText((e.data as { prompt: { type: string; text?: unknown }[] }).prompt));
      else if (e.type === 'TurnEnded') add('Assistant', (e.data as { text: string }).text);
    }
  }
  let kept = entries.slice(-maxEntries);
  let chars = kept.reduce((n, s) => n + s.length + 2, 0);
  while (kept.length > 0 && chars > maxChars) {
    chars -= kept[0]!.length + 2;
    kept = kept.slice(1);
  }
  if (kept.length === 0) return undefined;
  const body = kept.join('\n\n');
  return { text: HEADERS[reason] + body, entries: kept.length, chars: body.length };
}
