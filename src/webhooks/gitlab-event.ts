// GitLab's "Merge Request Hook": reviewed when opened, reopened, or updated with new commits (GitLab sets
// object_attributes.oldrev only then; an update of the title or labels has none). Other hooks and actions are ignored.
import { z } from 'zod';
import { parseWith } from '../http/validation.js';
import type { ReadDelivery } from './merge-request.js';

const REVIEWED_ACTIONS = new Set(['open', 'reopen', 'update']);

const gitlabMergeRequest = z.object({
  object_kind: z.literal('merge_request'),
  project: z.looseObject({ id: z.number().int(), path_with_namespace: z.string().min(1), git_http_url: z.string().min(1) }),
  object_attributes: z.looseObject({
    iid: z.number().int().positive(),
    title: z.string(),
    description: z.string().nullish(),
    url: z.string().nullish(),
    source_branch: z.string().min(1),
    target_branch: z.string().min(1),
    action: z.string().nullish(),
    oldrev: z.string().nullish(),
    last_commit: z.looseObject({ id: z.string().regex(/^[0-9a-f]{7,64}$/) }),
    source: z.looseObject({ git_http_url: z.string().min(1) }).nullish(),
    target: z.looseObject({ git_http_url: z.string().min(1) }).nullish(),
  }),
});

export function readGitlabDelivery(headers: Readonly<Record<string, string>>, payload: unknown): ReadDelivery {
  const kind = payload !== null && typeof payload === 'object' ? (payload as { object_kind?: unknown }).object_kind : undefined;
  if (kind !== 'merge_request') return { ignored: `GitLab ${typeof kind === 'string' ? `'${kind}'` : 'event without object_kind'} is not a merge request event` };
  const p = parseWith(gitlabMergeRequest, payload, 'payload');
  const a = p.object_attributes;
  const action = a.action ?? '';
  if (!REVIEWED_ACTIONS.has(action)) return { ignored: `merge request action '${action}' is not reviewed (open, reopen, update with new commits)` };
  if (action === 'update' && !a.oldrev) return { ignored: 'merge request update without new commits' };
  return {
    review: {
      provider: 'gitlab',
      delivery_id: headers['x-gitlab-event-uuid'] ?? null,
      action,
      repo: p.project.path_with_namespace,
      project_id: p.project.id,
      number: a.iid,
      url: a.url ?? '',
      title: a.title,
      description: a.description ?? '',
      source_branch: a.source_branch,
      target_branch: a.target_branch,
      head: a.last_commit.id,
      source_url: a.source?.git_http_url ?? p.project.git_http_url,
      target_url: a.target?.git_http_url ?? p.project.git_http_url,
    },
  };
}
