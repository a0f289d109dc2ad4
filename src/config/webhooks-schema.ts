// The `webhooks` section (README: Git webhooks and reviews): where the shared secret may come from besides
// AINTEGRIX_WEBHOOK_SECRET, which agent reviews merge requests, the prompt it gets, the terminal commands it may run,
// and where reviews are posted back. Tokens are secrets: use ${ENV_VAR} to keep them out of the file; they reach
// only the configured API URL, never the log, an error message or an agent's environment.
import { z } from 'zod';
import { list, nonEmptyString, optional, section, seconds } from './fields.js';

/** The placeholders a review prompt template may use (src/reviews/review-prompt.ts fills them in). */
export const REVIEW_PLACEHOLDERS = ['provider', 'repo', 'number', 'url', 'title', 'description', 'source_branch', 'target_branch', 'head', 'changed_files'] as const;

export const DEFAULT_REVIEW_TEMPLATE = [
  'Review the merge request "{title}" ({url}) of {repo}: {source_branch} into {target_branch}, head {head}.',
  '',
  'Description:',
  '{description}',
  '',
  'Changed files:',
  '{changed_files}',
  '',
  'The workspace is a checkout of the source branch; you may read it but not change it.',
  'Point out bugs, risks and unclear code, file by file; be concise.',
].join('\n');

const httpUrl = () => z.url({ protocol: /^https?$/, error: () => 'expected an http:// or https:// URL' });

const template = nonEmptyString('a prompt template').superRefine((t, ctx) => {
  for (const m of t.matchAll(/\{([a-z_]+)\}/g)) {
    if (!(REVIEW_PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
      ctx.addIssue({ code: 'custom', message: `unknown placeholder {${m[1]}} (known: ${REVIEW_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})` });
    }
  }
});

export const webhooksSchema = section({
  /** a file holding the shared secret; AINTEGRIX_WEBHOOK_SECRET_FILE overrides it (AINTEGRIX_WEBHOOK_SECRET excludes both) */
  secret_file: optional(nonEmptyString('a file path')),
  /** the agent that reviews; without it, routing.rules/fallback choose (keywords of the title and description, task_type "review") */
  review_agent: optional(nonEmptyString('an agent name')),
  prompt_template: template.default(DEFAULT_REVIEW_TEMPLATE),
  /** the only terminal commands the reviewing agent may run (permission command patterns, e.g. "git log *") */
  read_commands: list(nonEmptyString('a command pattern')).default(() => []),
  /** GitLab: the instance URL (notes go to <url>/api/v4/projects/<id>/merge_requests/<iid>/notes) and a token */
  gitlab: section({ url: optional(httpUrl()), token: optional(nonEmptyString('a token')) }).prefault({}),
  /** GitHub: the REST API URL and a token (reviews go to <api_url>/repos/<owner>/<name>/pulls/<n>/reviews) */
  github: section({ api_url: httpUrl().default('https://api.github.com'), token: optional(nonEmptyString('a token')) }).prefault({}),
  /** the time one post-back may take */
  post_timeout_secs: seconds().default(30),
});

export type WebhooksConfig = z.output<typeof webhooksSchema>;
