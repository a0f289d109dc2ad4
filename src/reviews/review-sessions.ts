// The one place the review actor reaches sessions: create the reviewing session, ask for its state, prompt it and
// wait for the turn. Sessions are ordinary sessions (origin `webhook`) made through SessionService; when its API
// changes, this file is what follows.
import type { SessionService } from '../sessions/session-service.js';
import type { TurnResult } from '../sessions/turn-ledger.js';
import type { PermissionRule } from '../permissions/index.js';
import type { EventMeta } from '../store/types.js';

export interface ReviewSessionSpec {
  agent: string;
  /** the key of the session id `<agent>_<key>`, fixed when the webhook was answered */
  key: string;
  repo: string;
  branch: string;
  permission_rules: PermissionRule[];
}

export type ReviewSessionState = { state: 'missing' } | { state: 'active' | 'closed' | 'failed'; workspace: string };

export interface ReviewSessions {
  create(spec: ReviewSessionSpec, meta: EventMeta): Promise<{ id: string; workspace: string }>;
  state(id: string): ReviewSessionState;
  /** submit one text prompt (shaped for the agent like any client's) and wait for the turn's end */
  prompt(id: string, text: string, meta: EventMeta): Promise<TurnResult>;
  /** close the session (its agent stops, its clone is removed); a closed or unknown session is left alone */
  close(id: string, meta: EventMeta, reason: string): Promise<void>;
}

export function reviewSessions(sessions: SessionService): ReviewSessions {
  const state = (id: string): ReviewSessionState => {
    let actor;
    try {
      actor = sessions.actor(id);
    } catch {
      return { state: 'missing' };
    }
    const snap = actor.snapshot();
    return { state: snap.status === 'active' ? 'active' : snap.value === 'failed' ? 'failed' : 'closed', workspace: snap.context.workspace };
  };
  return {
    async create(spec, meta) {
      const actor = await sessions.create(
        { agent: spec.agent, key: spec.key, repo: spec.repo, branch: spec.branch, permission_rules: spec.permission_rules, origin: 'webhook' },
        meta,
      );
      return { id: actor.id, workspace: actor.snapshot().context.workspace };
    },
    state,
    async prompt(id, text, meta) {
      // shaped for the agent (prefix, suffix, first-prompt context) like any client's prompt
      const submitted = await sessions.prompt(id, [{ type: 'text', text }], undefined, meta);
      return submitted.result;
    },
    async close(id, meta, reason) {
      if (state(id).state !== 'active') return;
      await sessions.close(id, meta, reason);
    },
  };
}
