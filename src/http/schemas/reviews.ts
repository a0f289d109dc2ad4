// The JSON of GET /api/v1/reviews and GET /api/v1/reviews/{id} (src/reviews/review-view.ts), as schemas only: the
// typed client takes its Review types from here (a module the console's type-check can read without the server).
import { z } from 'zod';

export const reviewStatusSchema = z.enum(['new', 'received', 'cloned', 'reviewed', 'posting', 'posted', 'failed']);

export const reviewSummarySchema = z.looseObject({
  id: z.string(),
  status: reviewStatusSchema,
  provider: z.enum(['gitlab', 'github']),
  repo: z.string(),
  number: z.number().int(),
  title: z.string(),
  head: z.string(),
  agent: z.string(),
  session_id: z.string(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});

export const reviewDetailSchema = reviewSummarySchema.extend({
  delivery_id: z.string().nullable(),
  action: z.string(),
  url: z.string(),
  source_branch: z.string(),
  target_branch: z.string(),
  chosen_by: z.union([z.literal('review_agent'), z.object({ rule: z.union([z.number().int(), z.literal('fallback')]) })]),
  changed_files: z.array(z.string()),
  changed_files_truncated: z.boolean(),
  /** the agent's review, once it answered */
  review: z.string().nullable(),
  post: z.object({ to: z.enum(['gitlab', 'github']).nullable(), attempts: z.number().int(), remote_id: z.string().nullable(), found_existing: z.boolean() }),
  error: z.object({ stage: z.string(), code: z.string(), message: z.string() }).nullable(),
  resumes: z.number().int(),
});
