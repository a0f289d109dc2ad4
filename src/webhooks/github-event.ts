// GitHub's pull_request event: reviewed when opened, reopened, or synchronized (new commits pushed). `ping` (sent
// when the hook is created) is answered 200; other events and actions are ignored.
import { z } from 'zod';
import { parseWith } from '../http/validation.js';
import type { ReadDelivery } from './merge-request.js';

const REVIEWED_ACTIONS = new Set(['opened', 'reopened', 'synchronize']);

const ref = z.looseObject({
  ref: z.string().min(1),
  sha: z.string().regex(/^[0-9a-f]{7,64}$/),
  repo: z.looseObject({ full_name: z.string().min(1), clone_url: z.string().min(1) }),
});

const githubPullRequest = z.looseObject({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.looseObject({
    title: z.string(),
    body: z.string().nullish(),
    html_url: z.string().nullish(),
    head: ref,
    base: ref,
  }),
});

export function readGithubDelivery(headers: Readonly<Record<string, string>>, payload: unknown): ReadDelivery {
  const event = headers['x-github-event'] ?? '';
  if (event === 'ping') return { ping: true };
  if (event !== 'pull_request') return { ignored: `GitHub event '${event}' is not handled (pull_request, ping)` };
  const action = payload !== null && typeof payload === 'object' ? (payload as { action?: unknown }).action : undefined;
  if (typeof action !== 'string' || !REVIEWED_ACTIONS.has(action)) {
    return { ignored: `pull_request action '${String(action)}' is not reviewed (opened, reopened, synchronize)` };
  }
  const p = parseWith(githubPullRequest, payload, 'payload');
  const pr = p.pull_request;
  return {
    review: {
      provider: 'github',
      delivery_id: headers['x-github-delivery'] ?? null,
      action,
      repo: pr.base.repo.full_name,
      project_id: null,
      number: p.number,
      url: pr.html_url ?? '',
      title: pr.title,
      description: pr.body ?? '',
      source_branch: pr.head.ref,
      target_branch: pr.base.ref,
      head: pr.head.sha,
      source_url: pr.head.repo.clone_url,
      target_url: pr.base.repo.clone_url,
    },
  };
}
