// The review actor kind (`review:<id>`): its decider, and one named handler per effect. Each handler runs after the
// event that asked for it is committed, does its stage's work, and records the outcome with a command:
//   effect.clone  → the reviewing session on a clone of the source branch, the changed files → cloned | fail(clone)
//   effect.review → the prompt, the agent's turn                                             → complete | fail(review)
//   effect.post   → the post back (after a restart: first look for it, post only if absent)   → posted | fail(post)
import type { ActorKind } from '../actors/actor-kind.js';
import type { JournaledActor } from '../actors/journaled-actor.js';
import type { AintegrixConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { HttpError } from '../errors/http-error.js';
import { Rejected } from '../errors/rejection.js';
import { changedFiles } from './changed-files.js';
import { decideReview, type ReviewCommand, type ReviewStage } from './review-decide.js';
import { reviewFoldedTypes, reviewMachine, type ReviewContext } from './review-machine.js';
import { reviewPrompt } from './review-prompt.js';
import { readOnlyRules } from './read-only-policy.js';
import type { ReviewSessions } from './review-sessions.js';
import { PostError, postBody, postTarget } from './post-back.js';

export type ReviewActor = JournaledActor<typeof reviewMachine>;

export interface ReviewKindDeps {
  config: AintegrixConfig;
  sessions: ReviewSessions;
  logger: Logger;
  gatewayEnv: Readonly<Record<string, string | undefined>>;
  /** a stage cut short by the gateway's shutdown is not a failure: the next boot resumes it */
  shuttingDown: () => boolean;
}

const SYSTEM = { principal: 'system' };

export interface ReviewKind extends ActorKind<typeof reviewMachine, ReviewCommand> {
  /** close the session of a review that no longer needs it (after a restart that came between the two) */
  closeSession(actor: ReviewActor): Promise<void>;
}

export function reviewKind(deps: ReviewKindDeps): ReviewKind {
  const { config, sessions, logger } = deps;

  const execute = async (actor: ReviewActor, command: ReviewCommand) => {
    const r = await actor.execute<ReviewCommand>(command, SYSTEM);
    if (!r.ok) logger.warn('review command refused', { review: actor.id, command: command.type, reason: r.reason });
  };
  const fail = (actor: ReviewActor, stage: ReviewStage, e: unknown) => {
    if (deps.shuttingDown()) return logger.info('review stage cut short by the shutdown; resumed at the next start', { review: actor.id, stage });
    const code = e instanceof HttpError || e instanceof Rejected || e instanceof PostError ? e.code : 'internal';
    return execute(actor, { type: 'fail', stage, code, message: (e as Error).message ?? String(e) });
  };
  const context = (actor: ReviewActor): ReviewContext => actor.snapshot().context;
  // a review's session lives as long as its review runs: it holds an agent process (agents.<name>.max_sessions) and
  // the clone; the review's text stays in both logs
  const closeSession = (actor: ReviewActor) =>
    sessions
      .close(context(actor).request!.session_id, SYSTEM, 'review_done')
      .catch((e: Error) => logger.warn('could not close a review session', { review: actor.id, error: e }));

  return {
    streamType: 'review',
    machine: reviewMachine,
    machineVersion: 'review-1',
    foldedTypes: reviewFoldedTypes,
    snapshotWhen: (s) => s.status === 'done',
    decide: decideReview,
    closeSession,
    effects: {
      'effect.clone': async (actor) => {
        const c = context(actor);
        const r = c.request!;
        try {
          // resumed after a restart: the session may exist already (it is created once, under the id fixed at receipt)
          const existing = sessions.state(r.session_id);
          if (existing.state === 'closed' || existing.state === 'failed') {
            return await execute(actor, { type: 'fail', stage: 'interrupted', code: 'session_gone', message: `the reviewing session is ${existing.state}` });
          }
          const workspace =
            existing.state === 'active'
              ? existing.workspace
              : (
                  await sessions.create(
                    { agent: r.agent, key: sessionKey(r.session_id, r.agent), repo: r.source_url, branch: r.source_branch, permission_rules: readOnlyRules(config.webhooks.read_commands) },
                    { principal: 'system', review: c.id },
                  )
                ).workspace;
          const changed = await changedFiles(workspace, { url: r.target_url, branch: r.target_branch }, config.git, deps.gatewayEnv);
          await execute(actor, {
            type: 'cloned',
            session_id: r.session_id,
            head: r.head,
            changed_files: changed.files,
            changed_files_truncated: changed.truncated,
            ...(changed.error !== undefined ? { changed_files_error: changed.error } : {}),
          });
        } catch (e) {
          await fail(actor, 'clone', e);
          if (!deps.shuttingDown()) await closeSession(actor); // created, then the agent failed to attach
        }
      },
      'effect.review': async (actor) => {
        const c = context(actor);
        const r = c.request!;
        try {
          const s = sessions.state(r.session_id);
          if (s.state !== 'active') {
            return await execute(actor, { type: 'fail', stage: 'interrupted', code: 'session_gone', message: `the reviewing session is ${s.state}` });
          }
          const turn = await sessions.prompt(r.session_id, reviewPrompt(config.webhooks.prompt_template, c), { principal: 'system', review: c.id });
          if (turn.outcome !== 'completed') {
            if (deps.shuttingDown()) return logger.info('review turn cut short by the shutdown; resumed at the next start', { review: actor.id });
            const message = turn.error?.message ?? `the review turn ended ${turn.outcome}`;
            return await execute(actor, { type: 'fail', stage: 'review', code: turn.error?.code ?? turn.outcome, message });
          }
          await execute(actor, { type: 'complete', turn: turn.turn, text: turn.text, stop_reason: turn.stop_reason });
        } catch (e) {
          await fail(actor, 'review', e);
        }
        if (!deps.shuttingDown()) await closeSession(actor);
      },
      'effect.post': async (actor, effect) => {
        const c = context(actor);
        const r = c.request!;
        const target = postTarget(r.post_to!, config.webhooks);
        try {
          if (effect.check) {
            // the post was requested before the restart and not recorded done: it may have gone out. Look first.
            const found = await target.findPosted(c.id, r);
            if (found !== undefined) return await execute(actor, { type: 'posted', remote_id: found, found_existing: true });
            return await execute(actor, { type: 'requestPost' });
          }
          const remoteId = await target.post(c.id, r, postBody(c.id, r.agent, c.review?.text ?? ''));
          await execute(actor, { type: 'posted', remote_id: remoteId, found_existing: false });
        } catch (e) {
          await fail(actor, 'post', e);
        }
      },
    },
  };
}

/** The key part of a session id `<agent>_<key>`. */
export function sessionKey(sessionId: string, agent: string): string {
  return sessionId.slice(agent.length + 1);
}
