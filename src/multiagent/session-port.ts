// The one place multi-agent actors (pipelines, orchestrations) reach the session machinery. Steps and candidates are
// ordinary sessions: created, prompted, cancelled and closed through SessionService like any REST client's, so they
// are listed, streamed and audited like any other. Keeping every call here means a change of SessionService's
// surface touches this file only.
import type { GatewayServices } from '../http/services.js';
import type { EventMeta } from '../store/types.js';
import type { TurnResult } from '../sessions/turn-ledger.js';

export type MultiAgentOrigin = 'pipeline' | 'orchestration';

export interface StepSessionInput {
  agent: string;
  origin: MultiAgentOrigin;
  model?: string;
  workspace_root?: string;
}

export interface SubmittedStepTurn {
  turn: number;
  /** log position of the prompt's PromptSubmitted */
  position: number;
  /** resolves once the turn's TurnEnded is committed */
  result: Promise<TurnResult>;
}

export interface StepSessions {
  agentExists(name: string): boolean;
  /** Create an ordinary session; throws as session creation does (HttpError / Rejected). */
  create(input: StepSessionInput, meta: EventMeta): Promise<{ id: string; workspace: string }>;
  /** Shape `text` for the session's agent and submit it. */
  prompt(id: string, text: string, meta: EventMeta): Promise<SubmittedStepTurn>;
  /** Ask the running turn to stop; nothing happens for a session that is idle, closed or unknown. */
  cancel(id: string, meta: EventMeta): Promise<void>;
  /** Close the session and wait for its agent process to go; a closed or unknown session is left as it is. */
  close(id: string, meta: EventMeta, reason: string): Promise<void>;
  /** Whether a session exists and is still open. */
  isOpen(id: string): boolean;
  /** Open sessions per agent and in total: admission of a whole run (all its sessions) before any starts. */
  openSessions(): { byAgent: Map<string, number>; total: number };
  /** The agent's max_sessions (0 for an unknown agent). */
  maxSessions(agent: string): number;
}

export function stepSessions(gw: GatewayServices): StepSessions {
  const known = (id: string) => gw.sessions.actors().some((a) => a.id === id);
  return {
    agentExists: (name) => gw.sessions.agentConfig(name) !== undefined,
    async create(input, meta) {
      const actor = await gw.sessions.create(
        { agent: input.agent, origin: input.origin, ...(input.model ? { model: input.model } : {}), ...(input.workspace_root ? { workspace_root: input.workspace_root } : {}) },
        meta,
      );
      return { id: actor.id, workspace: actor.snapshot().context.workspace };
    },
    async prompt(id, text, meta) {
      const s = await gw.sessions.prompt(id, [{ type: 'text', text }], undefined, meta);
      return { turn: s.turn, position: s.position, result: s.result };
    },
    async cancel(id, meta) {
      if (!known(id) || gw.sessions.actor(id).snapshot().status !== 'active') return;
      await gw.sessions.cancel(id, meta, 'client').catch(() => undefined);
    },
    async close(id, meta, reason) {
      if (!known(id)) return;
      await gw.sessions.close(id, meta, reason);
    },
    isOpen: (id) => known(id) && gw.sessions.actor(id).snapshot().status === 'active',
    openSessions() {
      const byAgent = new Map<string, number>();
      let total = 0;
      for (const a of gw.sessions.actors()) {
        const s = a.snapshot();
        if (s.status !== 'active') continue;
        total++;
        byAgent.set(s.context.agent, (byAgent.get(s.context.agent) ?? 0) + 1);
      }
      return { byAgent, total };
    },
    maxSessions: (agent) => gw.sessions.agentConfig(agent)?.max_sessions ?? 0,
  };
}
