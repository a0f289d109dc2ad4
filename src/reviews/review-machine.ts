// The review actor's fold: received → cloned → reviewed → posting → posted, or failed from any stage. Each stage's
// work is an effect the machine emits when it enters the stage (clone, review, post) and again when a restarted
// gateway resumes it (ReviewResumed). A review without a post target stays `reviewed`: the text is in its log.
// Deterministic: replay folds the same events through `transition()`.
import { assign, emit, setup } from 'xstate';
import type { z } from 'zod';
import type * as E from '../events/review-events.js';

type Ev<T extends string, S extends z.ZodType> = { type: T } & z.output<S> & { $at?: number; $pos?: number };

export type ReviewMachineEvent =
  | Ev<'ReviewReceived', typeof E.ReviewReceived>
  | Ev<'ReviewCloned', typeof E.ReviewCloned>
  | Ev<'ReviewCompleted', typeof E.ReviewCompleted>
  | Ev<'ReviewPostRequested', typeof E.ReviewPostRequested>
  | Ev<'ReviewPosted', typeof E.ReviewPosted>
  | Ev<'ReviewFailed', typeof E.ReviewFailed>
  | Ev<'ReviewResumed', typeof E.ReviewResumed>;

/** The effects a review's stages ask for, each handled by a named handler (review-kind.ts). */
export type ReviewEffect =
  | { type: 'effect.clone' }
  | { type: 'effect.review' }
  /** check: a post may have gone out before a restart: look for it before posting again */
  | { type: 'effect.post'; check: boolean };

export type ReviewRequest = Omit<z.output<typeof E.ReviewReceived>, 'review_id'>;

export interface ReviewContext {
  id: string;
  request: ReviewRequest | null;
  changedFiles: string[];
  changedFilesTruncated: boolean;
  review: { turn: number; text: string; stop_reason: string | null } | null;
  post: { attempt: number; remoteId: string | null; foundExisting: boolean } | null;
  failure: z.output<typeof E.ReviewFailed> | null;
  resumes: number;
  createdAt: number | null;
  updatedAt: number | null;
}

export const reviewMachine = setup({
  types: { context: {} as ReviewContext, events: {} as ReviewMachineEvent, emitted: {} as ReviewEffect },
  actions: {
    touched: assign({ updatedAt: ({ event }) => event.$at ?? null }),
    fail: assign({ failure: ({ event }) => (event.type === 'ReviewFailed' ? { stage: event.stage, code: event.code, message: event.message } : null) }),
    resumed: assign({ resumes: ({ context }) => context.resumes + 1 }),
    clone: emit({ type: 'effect.clone' as const }),
    review: emit({ type: 'effect.review' as const }),
    post: emit({ type: 'effect.post' as const, check: false }),
    checkThenPost: emit({ type: 'effect.post' as const, check: true }),
    requestPost: assign({
      post: ({ event }) => (event.type === 'ReviewPostRequested' ? { attempt: event.attempt, remoteId: null, foundExisting: false } : null),
    }),
  },
}).createMachine({
  id: 'review',
  initial: 'new',
  context: {
    id: '',
    request: null,
    changedFiles: [],
    changedFilesTruncated: false,
    review: null,
    post: null,
    failure: null,
    resumes: 0,
    createdAt: null,
    updatedAt: null,
  },
  states: {
    new: {
      on: {
        ReviewReceived: {
          target: 'received',
          actions: [
            assign(({ event }) => {
              const { review_id, type: _t, $at, $pos: _p, ...request } = event;
              return { id: review_id, request, createdAt: $at ?? null, updatedAt: $at ?? null };
            }),
            'clone',
          ],
        },
      },
    },
    received: {
      on: {
        ReviewCloned: {
          target: 'cloned',
          actions: [assign({ changedFiles: ({ event }) => event.changed_files, changedFilesTruncated: ({ event }) => event.changed_files_truncated }), 'touched', 'review'],
        },
        ReviewResumed: { actions: ['resumed', 'touched', 'clone'] },
        ReviewFailed: { target: 'failed', actions: ['fail', 'touched'] },
      },
    },
    cloned: {
      on: {
        ReviewCompleted: {
          target: 'reviewed',
          actions: [assign({ review: ({ event }) => ({ turn: event.turn, text: event.text, stop_reason: event.stop_reason }) }), 'touched'],
        },
        ReviewResumed: { actions: ['resumed', 'touched', 'review'] },
        ReviewFailed: { target: 'failed', actions: ['fail', 'touched'] },
      },
    },
    reviewed: {
      on: {
        ReviewPostRequested: { target: 'posting', actions: ['requestPost', 'touched', 'post'] },
        ReviewFailed: { target: 'failed', actions: ['fail', 'touched'] },
      },
    },
    posting: {
      on: {
        // a check after a restart found no post: the new attempt is journaled before it is made
        ReviewPostRequested: { actions: ['requestPost', 'touched', 'post'] },
        ReviewPosted: {
          target: 'posted',
          actions: [
            assign({ post: ({ context, event }) => ({ attempt: context.post?.attempt ?? 1, remoteId: event.remote_id, foundExisting: event.found_existing }) }),
            'touched',
          ],
        },
        ReviewResumed: { actions: ['resumed', 'touched', 'checkThenPost'] },
        ReviewFailed: { target: 'failed', actions: ['fail', 'touched'] },
      },
    },
    posted: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type ReviewState = 'new' | 'received' | 'cloned' | 'reviewed' | 'posting' | 'posted' | 'failed';

export const reviewFoldedTypes: ReadonlySet<string> = new Set([
  'ReviewReceived',
  'ReviewCloned',
  'ReviewCompleted',
  'ReviewPostRequested',
  'ReviewPosted',
  'ReviewFailed',
  'ReviewResumed',
]);
