// The review actor's commands and its pure decider: which events each command appends in which state, or why not.
// The machine's transitions (review-machine.ts) accept exactly what this appends.
import type { SnapshotFrom } from 'xstate';
import type { Decider, Decision } from '../actors/actor-kind.js';
import type { NewEvent } from '../store/types.js';
import type { reviewMachine, ReviewState } from './review-machine.js';

export type ReviewStage = 'clone' | 'review' | 'post' | 'interrupted';

export type ReviewCommand =
  | { type: 'cloned'; session_id: string; head: string; changed_files: string[]; changed_files_truncated: boolean; changed_files_error?: string }
  | { type: 'complete'; turn: number; text: string; stop_reason: string | null }
  /** a check after a restart found no post: post again (journaled first) */
  | { type: 'requestPost' }
  | { type: 'posted'; remote_id: string; found_existing: boolean }
  | { type: 'fail'; stage: ReviewStage; code: string; message: string }
  | { type: 'resume'; boot: string };

type Snapshot = SnapshotFrom<typeof reviewMachine>;

/** The stage a running review resumes at after a restart (undefined: nothing is running). */
export function resumableStage(state: ReviewState): 'clone' | 'review' | 'post' | undefined {
  return state === 'received' ? 'clone' : state === 'cloned' ? 'review' : state === 'posting' ? 'post' : undefined;
}

export function isFinished(state: ReviewState): boolean {
  return state === 'posted' || state === 'failed';
}

const notNow = (command: string, state: ReviewState): Decision => ({ reject: 'review_not_running', message: `cannot ${command}: the review is ${state}` });

export const decideReview: Decider<typeof reviewMachine, ReviewCommand> = (command, s: Snapshot) => {
  const state = s.value as ReviewState;
  const c = s.context;
  switch (command.type) {
    case 'cloned': {
      if (state !== 'received') return notNow('record the clone', state);
      const { type: _t, ...data } = command;
      return [{ type: 'ReviewCloned', data }];
    }
    case 'complete': {
      if (state !== 'cloned') return notNow('complete', state);
      const events: NewEvent[] = [{ type: 'ReviewCompleted', data: { turn: command.turn, text: command.text, stop_reason: command.stop_reason } }];
      // the post request is journaled with the review, before anything is sent
      if (c.request?.post_to) events.push({ type: 'ReviewPostRequested', data: { target: c.request.post_to, attempt: 1 } });
      return events;
    }
    case 'requestPost':
      if (state !== 'posting' || !c.request?.post_to) return notNow('post', state);
      return [{ type: 'ReviewPostRequested', data: { target: c.request.post_to, attempt: (c.post?.attempt ?? 0) + 1 } }];
    case 'posted':
      if (state !== 'posting' || !c.request?.post_to) return notNow('record the post', state);
      return [{ type: 'ReviewPosted', data: { target: c.request.post_to, remote_id: command.remote_id, found_existing: command.found_existing } }];
    case 'fail':
      if (isFinished(state) || state === 'new') return notNow('fail', state);
      return [{ type: 'ReviewFailed', data: { stage: command.stage, code: command.code, message: command.message } }];
    case 'resume': {
      const stage = resumableStage(state);
      if (stage === undefined) return notNow('resume', state);
      return [{ type: 'ReviewResumed', data: { boot: command.boot, stage } }];
    }
  }
};
