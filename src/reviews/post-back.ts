// Posting a review back: a note on the GitLab merge request, or a review comment (event COMMENT) on the GitHub pull
// request. The token goes only to the configured URL (webhooks.gitlab.url, webhooks.github.api_url), in a header;
// it is scrubbed from every error text. Each posted body carries a marker with the review id, so that after a
// restart a post that may have gone out can be looked for (findPosted) instead of being sent twice.
import type { WebhooksConfig } from '../config/schema.js';
import type { ReviewRequest } from './review-machine.js';

export interface PostTarget {
  post(reviewId: string, request: ReviewRequest, body: string): Promise<string>;
  /** the id of a post of this review already on the provider, if one is found */
  findPosted(reviewId: string, request: ReviewRequest): Promise<string | undefined>;
}

export class PostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function reviewMarker(reviewId: string): string {
  return `<!-- aintegrix-review:${reviewId} -->`;
}

export function postBody(reviewId: string, agent: string, text: string): string {
  return `${text.trim() === '' ? '(the agent gave no review text)' : text}\n\n_Automated review by ${agent} via aintegrix._\n${reviewMarker(reviewId)}`;
}

export function postTarget(provider: 'gitlab' | 'github', cfg: WebhooksConfig): PostTarget {
  const timeoutMs = cfg.post_timeout_secs * 1000;
  if (provider === 'gitlab') {
    const base = cfg.gitlab.url!.replace(/\/+$/, '');
    const headers = { 'private-token': cfg.gitlab.token!, 'content-type': 'application/json' };
    const notes = (r: ReviewRequest) => `${base}/api/v4/projects/${encodeURIComponent(String(r.project_id))}/merge_requests/${r.number}/notes`;
    return {
      async post(_id, r, body) {
        const note = await call<{ id: unknown }>('POST', notes(r), headers, { body }, cfg.gitlab.token!, timeoutMs);
        return String(note.id);
      },
      async findPosted(id, r) {
        const list = await call<{ id: unknown; body?: unknown }[]>('GET', `${notes(r)}?per_page=100&sort=desc`, headers, undefined, cfg.gitlab.token!, timeoutMs);
        const found = Array.isArray(list) ? list.find((n) => typeof n.body === 'string' && n.body.includes(reviewMarker(id))) : undefined;
        return found ? String(found.id) : undefined;
      },
    };
  }
  const base = cfg.github.api_url.replace(/\/+$/, '');
  const headers = {
    authorization: `Bearer ${cfg.github.token!}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'content-type': 'application/json',
  };
  const reviews = (r: ReviewRequest) => {
    const [owner, name] = r.repo.split('/');
    return `${base}/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}/pulls/${r.number}/reviews`;
  };
  return {
    async post(_id, r, body) {
      const review = await call<{ id: unknown }>('POST', reviews(r), headers, { body, event: 'COMMENT', commit_id: r.head }, cfg.github.token!, timeoutMs);
      return String(review.id);
    },
    async findPosted(id, r) {
      const list = await call<{ id: unknown; body?: unknown }[]>('GET', `${reviews(r)}?per_page=100`, headers, undefined, cfg.github.token!, timeoutMs);
      const found = Array.isArray(list) ? list.find((n) => typeof n.body === 'string' && n.body.includes(reviewMarker(id))) : undefined;
      return found ? String(found.id) : undefined;
    },
  };
}

async function call<T>(method: string, url: string, headers: Record<string, string>, body: unknown, token: string, timeoutMs: number): Promise<T> {
  const scrub = (s: string) => s.split(token).join('***');
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new PostError('post_unreachable', scrub(`${method} ${url} failed: ${(e as Error).message}${cause ? ` (${cause})` : ''}`));
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new PostError('post_rejected', scrub(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`));
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PostError('post_rejected', `${method} ${url} answered ${res.status} with a body that is not JSON`);
  }
}
