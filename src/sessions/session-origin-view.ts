// What a create answer adds about the session's origin: the clone (RepoCloned) and the routing decision
// (SessionRouted), read back from the session's first events so the answer says what the log says.
import type { EventStore } from '../store/types.js';

export interface OriginView {
  repo?: { url: string; branch: string; head: string; bytes: number };
  routed?: { rule: number | 'fallback'; matched: unknown };
}

export function originView(store: EventStore, streamId: string): OriginView {
  const out: OriginView = {};
  for (const e of store.readStream(streamId, 1, 4)) {
    if (e.type === 'RepoCloned') out.repo = e.data as OriginView['repo'];
    if (e.type === 'SessionRouted') {
      const d = e.data as { rule: number | 'fallback'; matched: unknown };
      out.routed = { rule: d.rule, matched: d.matched };
    }
  }
  return out;
}
