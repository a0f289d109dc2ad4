// What a webhook delivery becomes once read: a merge request (GitLab) or pull request (GitHub) to review, in one
// provider-neutral shape, or the reason it is not one (answered 202 {ignored}).
export type Provider = 'gitlab' | 'github';

export interface MergeRequest {
  provider: Provider;
  /** X-Gitlab-Event-UUID / X-GitHub-Delivery, when sent */
  delivery_id: string | null;
  /** open, reopen, update (GitLab); opened, reopened, synchronize (GitHub) */
  action: string;
  /** group/project or owner/name */
  repo: string;
  /** GitLab's project id (the notes API needs it); null for GitHub */
  project_id: number | null;
  /** the MR iid or the PR number */
  number: number;
  url: string;
  title: string;
  description: string;
  source_branch: string;
  target_branch: string;
  /** the head commit of the source branch */
  head: string;
  /** where the source branch is cloned from (a fork's own repository) */
  source_url: string;
  /** where the target branch is fetched from, to list the changed files */
  target_url: string;
}

export type ReadDelivery = { review: MergeRequest } | { ignored: string } | { ping: true };
