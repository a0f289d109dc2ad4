// Forking a session (POST /sessions/{id}/fork, acp_fork_session): a new, ordinary session whose conversation starts
// with the source's, up to a position of the source's log (its head by default). Two methods:
//   native     — same agent, which offers `sessionCapabilities.fork`, forked at the head: the new session's agent
//                process is asked for ACP `session/fork` of the source's ACP session, so the agent keeps the whole
//                history (tool state included);
//   transcript — another agent, an agent without fork, or an earlier point: a new ACP session primed with the
//                transcript of the source's log up to that position, as recovery primes a session it cannot resume.
// Both logs record the link: SessionForked on the source, `forked_from` in the new session's SessionCreated. A
// forked session is then like any other: its own stream, listed, streamable, re-attached after a restart by the
// usual ladder (its transcript, when it needs one, still starts with the source's conversation).
import type { z } from 'zod';
import type { EventMeta, EventStore } from '../store/types.js';
import type { ForkOrigin as ForkOriginSchema } from '../events/session-events.js';
import { Rejected } from '../errors/rejection.js';
import type { SessionActor } from './live-session.js';
import type { SessionService } from './session-service.js';
import { sessionStatus, type SessionContext } from './session-machine.js';

export type ForkOrigin = z.output<typeof ForkOriginSchema>;
export type ForkMethod = ForkOrigin['method'];

export interface ForkInput {
  /** default: the source's agent */
  target_agent?: string;
  /** a log position of the source session; default: its head */
  at?: number;
}

export interface ForkResult {
  id: string;
  agent: string;
  forked_from: { session_id: string; position: number };
  /** the method that was used (a native fork the agent could not do falls back to the transcript) */
  method: ForkMethod;
  status: string;
}

export async function forkSession(sessions: SessionService, store: EventStore, sourceId: string, input: ForkInput, meta: EventMeta): Promise<ForkResult> {
  const source = sessions.actor(sourceId);
  const snap = source.snapshot();
  const c = snap.context;
  // a running turn would leave the fork with half a turn, and a native fork with whatever the agent holds mid-turn
  if (snap.value !== 'idle' && snap.status === 'active') {
    throw new Rejected('session_busy', `session '${sourceId}' is ${sessionStatus(snap.value, c)}; fork it between turns`);
  }
  const agent = input.target_agent ?? c.agent;
  if (!sessions.agentConfig(agent)) throw new Rejected('agent_not_found', `agent '${agent}' not configured`);
  const head = lastPosition(store, source.streamId);
  const position = input.at ?? head;
  if (input.at !== undefined) checkPosition(store, source.streamId, sourceId, input.at, head);
  const method: ForkMethod = agent === c.agent && position === head && offersFork(c) && snap.status === 'active' ? 'native' : 'transcript';
  const origin: ForkOrigin = {
    session_id: sourceId,
    position,
    method,
    ...(method === 'native' ? { acp_session_id: c.acpSessionId! } : {}),
  };
  const actor = await sessions.create(
    {
      agent,
      // the fork works where its source worked: the conversation it inherits is about those files
      workspace_root: c.workspace,
      // the same agent keeps the model the source was asked to use; another agent starts on its own default
      model: agent === c.agent ? (c.modelRequested ?? undefined) : undefined,
      origin: 'fork',
      forked_from: origin,
      onCreated: (forked) => recordLink(source, forked, agent, origin, meta),
    },
    meta,
  );
  const f = actor.snapshot();
  return {
    id: f.context.id,
    agent,
    forked_from: { session_id: sourceId, position },
    method: f.context.attachPath === 'fork' ? 'native' : 'transcript',
    status: sessionStatus(f.value, f.context),
  };
}

/** SessionForked on the source, committed before the fork's agent is attached (so even a fork that fails is linked). */
async function recordLink(source: SessionActor, forked: SessionActor, agent: string, origin: ForkOrigin, meta: EventMeta): Promise<void> {
  await source.record([{ type: 'SessionForked', data: { session_id: forked.snapshot().context.id, agent, position: origin.position, method: origin.method } }], meta);
}

function offersFork(c: SessionContext): boolean {
  const caps = c.capabilities as { sessionCapabilities?: { fork?: unknown } } | null;
  return c.acpSessionId !== null && caps?.sessionCapabilities?.fork !== undefined && caps.sessionCapabilities.fork !== null;
}

/** The log position of the stream's newest event. */
function lastPosition(store: EventStore, streamId: string): number {
  return store.readStream(streamId, store.streamVersion(streamId), 1)[0]?.position ?? 0;
}

/** `at` must be the position of one of the source's own events, at or before its head. */
function checkPosition(store: EventStore, streamId: string, sourceId: string, at: number, head: number): void {
  if (at > head) throw new Rejected('invalid_position', `at: ${at} is after the head of session '${sourceId}' (${head})`);
  const found = store.readStreamAfter(streamId, at - 1, 1)[0];
  if (found?.position !== at) throw new Rejected('invalid_position', `at: ${at} is not a position of session '${sourceId}'`);
}
