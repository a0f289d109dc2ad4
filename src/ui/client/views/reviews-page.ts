// Reviews (started by the git webhook): the list with status, forge, merge request and session; a review's detail
// with the request, the changed files, the agent's review text and where it was posted.
import { html } from '../html.js';
import { client } from '../api.js';
import { usePoll } from '../poll.js';
import { sessionHref } from '../route.js';
import { when } from '../format.js';
import { ErrorNote, StatusBadge } from './parts.js';

export const reviewHref = (id: string) => `#/reviews/${encodeURIComponent(id)}`;

export function ReviewsPage() {
  const { data, error } = usePoll(() => client().listReviews(), 3000);
  return html`<h1>Reviews</h1>
    <${ErrorNote} error=${error} />
    <div class="table-wrap">
      <table class="reviews">
        <thead><tr><th scope="col">Review</th><th scope="col">Status</th><th scope="col">Forge</th><th scope="col">Merge request</th><th scope="col">Session</th><th scope="col">Received</th></tr></thead>
        <tbody>
          ${(data ?? []).slice().reverse().map(
            (r) => html`<tr key=${r.id} data-review=${r.id}>
              <th scope="row" data-label="Review"><a href=${reviewHref(r.id)}>${r.id}</a></th>
              <td data-label="Status"><${StatusBadge} status=${r.status} /></td>
              <td data-label="Forge">${r.provider}</td>
              <td data-label="Merge request">${r.repo} #${r.number}: ${r.title}</td>
              <td data-label="Session"><a href=${sessionHref(r.session_id)}>${r.session_id}</a></td>
              <td data-label="Received">${when(r.created_at)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${data && data.length === 0 ? html`<p class="muted">No reviews yet: they start when GitLab or GitHub calls the git webhook.</p>` : null}`;
}

export function ReviewPage({ id }: { id: string }) {
  const { data: r, error } = usePoll(() => client().getReview(id), 3000, [id]);
  return html`<h1>Review <code>${id}</code></h1>
    <${ErrorNote} error=${error} />
    ${r
      ? html`<dl class="facts">
            <div><dt>Status</dt><dd><${StatusBadge} status=${r.status} /></dd></div>
            <div><dt>Merge request</dt><dd><a href=${r.url} rel="noreferrer">${r.repo} #${r.number}</a>: ${r.title}</dd></div>
            <div><dt>Branches</dt><dd><code>${r.source_branch}</code> → <code>${r.target_branch}</code> at <code>${r.head.slice(0, 12)}</code></dd></div>
            <div><dt>Agent</dt><dd>${r.agent}</dd></div>
            <div><dt>Session</dt><dd><a href=${sessionHref(r.session_id)}>${r.session_id}</a></dd></div>
            <div><dt>Posted</dt><dd>${r.post.remote_id ? `to ${r.post.to} (${r.post.remote_id})` : r.post.to ? `to ${r.post.to}: not yet` : 'kept in the log'}</dd></div>
            <div><dt>Received</dt><dd>${when(r.created_at)}</dd></div>
          </dl>
          ${r.error ? html`<p class="error">${r.error.message} (${r.error.code}, at ${r.error.stage})</p>` : null}
          <h2>Changed files</h2>
          <ul>${r.changed_files.map((f) => html`<li><code>${f}</code></li>`)}</ul>
          <h2>Review</h2>
          <div class="text">${r.review ?? 'not written yet'}</div>`
      : null}`;
}
