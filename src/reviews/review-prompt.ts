// The review prompt: webhooks.prompt_template with its placeholders filled in from the merge request (one pass, so
// a title that contains "{description}" stays as written).
import type { ReviewContext } from './review-machine.js';

export function reviewPrompt(template: string, c: ReviewContext): string {
  const r = c.request!;
  const files = c.changedFiles.length === 0 ? '(none listed)' : c.changedFiles.map((f) => `- ${f}`).join('\n');
  const values: Record<string, string> = {
    provider: r.provider,
    repo: r.repo,
    number: String(r.number),
    url: r.url,
    title: r.title,
    description: r.description.trim() === '' ? '(no description)' : r.description,
    source_branch: r.source_branch,
    target_branch: r.target_branch,
    head: r.head,
    changed_files: c.changedFilesTruncated ? `${files}\n(and more files not listed)` : files,
  };
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}
