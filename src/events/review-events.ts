// Events of a review stream (`review:<id>`, src/reviews): a merge/pull request received by the webhook, the clone of
// its source branch (the reviewing session), the agent's review, and its post back to GitLab or GitHub. The post is
// journaled before it is made (ReviewPostRequested) and its outcome after (ReviewPosted), so a restart knows which
// posts may have gone out. Tokens and the webhook secret are never part of any of them.
import { z } from 'zod';
import type { EventCatalogue } from './catalogue.js';

export const REVIEW_STAGES = ['clone', 'review', 'post', 'interrupted'] as const;

export const ReviewReceived = z.object({
  review_id: z.string(),
  provider: z.enum(['gitlab', 'github']),
  delivery_id: z.string().nullable(),
  action: z.string(),
  repo: z.string(),
  project_id: z.number().int().nullable(),
  number: z.number().int(),
  url: z.string(),
  title: z.string(),
  description: z.string(),
  source_branch: z.string(),
  target_branch: z.string(),
  head: z.string(),
  source_url: z.string(),
  target_url: z.string(),
  /** the reviewing agent and the session it works in (its id is fixed here, before the clone) */
  agent: z.string(),
  session_id: z.string(),
  /** how the agent was chosen: webhooks.review_agent, or routing's rule */
  chosen_by: z.union([z.literal('review_agent'), z.object({ rule: z.union([z.number().int(), z.literal('fallback')]) })]),
  /** where the review will be posted (a token is configured for it), or null: it stays in the log */
  post_to: z.enum(['gitlab', 'github']).nullable(),
});

/** The session exists on a clone of the source branch; the files changed against the target branch. */
export const ReviewCloned = z.object({
  session_id: z.string(),
  head: z.string(),
  changed_files: z.array(z.string()),
  /** more files changed than are listed */
  changed_files_truncated: z.boolean().default(false),
  /** why the changed files could not be listed (the review went on without them) */
  changed_files_error: z.string().optional(),
});

export const ReviewCompleted = z.object({
  turn: z.number().int(),
  text: z.string(),
  stop_reason: z.string().nullable(),
});

/** About to post the review (attempt 1, or more after a restart that found no post of it). */
export const ReviewPostRequested = z.object({
  target: z.enum(['gitlab', 'github']),
  attempt: z.number().int().positive(),
});

export const ReviewPosted = z.object({
  target: z.enum(['gitlab', 'github']),
  /** the note's or review's id on the provider */
  remote_id: z.string(),
  /** true: found already posted when checked after a restart (nothing was sent again) */
  found_existing: z.boolean().default(false),
});

export const ReviewFailed = z.object({
  stage: z.enum(REVIEW_STAGES),
  code: z.string(),
  message: z.string(),
});

/** The gateway restarted while the review ran: its current stage is run again (the post only after a check). */
export const ReviewResumed = z.object({
  boot: z.string(),
  stage: z.enum(['clone', 'review', 'post']),
});

export function defineReviewEvents(c: EventCatalogue): void {
  c.define('ReviewReceived', ReviewReceived);
  c.define('ReviewCloned', ReviewCloned);
  c.define('ReviewCompleted', ReviewCompleted);
  c.define('ReviewPostRequested', ReviewPostRequested);
  c.define('ReviewPosted', ReviewPosted);
  c.define('ReviewFailed', ReviewFailed);
  c.define('ReviewResumed', ReviewResumed);
}
