// The audit check on the postgres store: the log as PostgreSQL holds it, not the node's mirror (a copy that could be
// stale, or edited on this node's disk without the database changing). The store reads one consistent state of
// the tables and walks the chain page by page (EventStore.readAuthority); the signed checkpoints, the sink and the
// expected heads are then checked exactly as for the SQLite file (anchored-verify.ts verifyLogState).
import type { AuthorityState, EventStore } from '../store/types.js';
import { type AnchoredVerification, verifyLogState } from './anchored-verify.js';
import type { AuditKey } from './audit-key.js';
import { readSinkFile } from './checkpoint-sink.js';
import type { ExpectedHead } from './expected-head.js';

type AuthoritySource = Required<Pick<EventStore, 'readAuthority'>>;

export async function verifyAuthority(
  store: AuthoritySource,
  o: { key?: AuditKey; sinkFile?: string; expectHeads?: readonly ExpectedHead[] },
): Promise<AnchoredVerification> {
  const sink = o.sinkFile === undefined ? undefined : readSinkFile(o.sinkFile, true);
  const expectHeads = o.expectHeads ?? [];
  // the positions whose stored hash the check compares: the sink's checkpoints and the expected heads
  const positions = [...(sink?.ok ? sink.checkpoints.map((s) => s.checkpoint.position) : []), ...expectHeads.map((e) => e.position)];
  const state: AuthorityState = await store.readAuthority(positions);
  const bySeq = new Map(state.checkpoints.map((c) => [c.checkpoint.seq, c.checkpoint]));
  return verifyLogState(
    { walk: state.walk, checkpoints: () => state.checkpoints, hashAt: (p) => state.hashes.get(p) ?? null, bySeq: (seq) => bySeq.get(seq) },
    { ...(o.key ? { key: o.key } : {}), ...(sink ? { sink } : {}), expectHeads },
  );
}

/** Whether the store can be verified at its authority (the postgres store). */
export function hasAuthority(store: EventStore): store is EventStore & AuthoritySource {
  return typeof store.readAuthority === 'function';
}
