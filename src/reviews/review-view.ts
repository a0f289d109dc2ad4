// What GET /api/v1/reviews and GET /api/v1/reviews/{id} show of a review: its status (the machine's state), the
// request it reviews, its session, the review text and where it was posted. Never a token.
import type { ReviewActor } from './review-kind.js';
import type { ReviewState } from './review-machine.js';

export function reviewSummary(a: ReviewActor) {
  const s = a.snapshot();
  const c = s.context;
  const r = c.request!;
  return {
    id: c.id,
    status: s.value as ReviewState,
    provider: r.provider,
    repo: r.repo,
    number: r.number,
    title: r.title,
    head: r.head,
    agent: r.agent,
    session_id: r.session_id,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export function reviewDetail(a: ReviewActor) {
  const c = a.snapshot().context;
  const r = c.request!;
  return {
    ...reviewSummary(a),
    delivery_id: r.delivery_id,
    action: r.action,
    url: r.url,
    source_branch: r.source_branch,
    target_branch: r.target_branch,
    chosen_by: r.chosen_by,
    changed_files: c.changedFiles,
    changed_files_truncated: c.changedFilesTruncated,
    review: c.review?.text ?? null,
    post: { to: r.post_to, attempts: c.post?.attempt ?? 0, remote_id: c.post?.remoteId ?? null, found_existing: c.post?.foundExisting ?? false },
    error: c.failure,
    resumes: c.resumes,
  };
}

export type ReviewSummary = ReturnType<typeof reviewSummary>;
export type ReviewDetail = ReturnType<typeof reviewDetail>;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
