// Pieces several pages show: a tool call with its diffs or command, the decision buttons of an approval, errors.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { client, errorText } from '../api.js';
import { lineDiff } from '../line-diff.js';
import { toolCallSubject } from '../format.js';
import type { ApprovalDecision } from '../../../client/index.js';

export function ErrorNote({ error }: { error: string | null }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

export function StatusBadge({ status }: { status: string }) {
  return html`<span class=${`badge badge-${status}`}>${status.replaceAll('_', ' ')}</span>`;
}

export function DiffView({ diff }: { diff: { path?: string; oldText?: string | null; newText?: string } }) {
  const lines = lineDiff(diff.oldText ?? null, diff.newText ?? '');
  return html`<figure class="diff">
    <figcaption>${diff.oldText == null ? 'new file' : 'diff'} <code>${diff.path ?? ''}</code></figcaption>
    <pre>${lines.map((l) => html`<span class=${l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'ctx'}>${l.op} ${l.text}\n</span>`)}</pre>
  </figure>`;
}

/** A tool call's title, kind, status, command or paths, and its content: diffs, text, terminals. */
export function ToolCallView({ call }: { call: any }) {
  const subject = toolCallSubject(call);
  const content: any[] = Array.isArray(call?.content) ? call.content : [];
  return html`<div class="tool-call">
    <div class="tool-head">
      <span class="tool-kind">${call?.kind ?? call?.toolKind ?? 'tool'}</span>
      <strong>${call?.title ?? call?.toolCallId ?? ''}</strong>
      ${call?.status ? html`<${StatusBadge} status=${call.status} />` : null}
    </div>
    ${subject ? html`<pre class="command"><code>${subject}</code></pre>` : null}
    ${content.map((c) =>
      c?.type === 'diff'
        ? html`<${DiffView} diff=${c} />`
        : c?.type === 'content' && c.content?.type === 'text'
          ? html`<pre class="tool-output">${c.content.text}</pre>`
          : c?.type === 'terminal'
            ? html`<p class="muted">terminal ${c.terminalId}</p>`
            : null,
    )}
  </div>`;
}

const DECISIONS: { kind: string; decision: ApprovalDecision['decision']; label: string }[] = [
  { kind: 'allow_once', decision: 'allow_once', label: 'Allow once' },
  { kind: 'allow_always', decision: 'allow_always', label: 'Allow always' },
  { kind: 'reject_once', decision: 'reject_once', label: 'Reject' },
  { kind: 'reject_always', decision: 'reject_always', label: 'Reject always' },
];

/** One button per decision the agent's options allow (only options the agent offered can be chosen). */
export function ApprovalActions({ approvalId, options, onDecided }: { approvalId: string; options: { optionId: string; name?: string; kind: string }[]; onDecided?: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const offered = DECISIONS.filter((d) => options.some((o) => o.kind === d.kind));
  const decide = async (decision: ApprovalDecision['decision']) => {
    setBusy(true);
    setError(null);
    try {
      await client().decideApproval(approvalId, { decision });
      onDecided?.();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="approval-actions">
    <p class="muted">Agent's options: ${options.map((o) => `${o.name ?? o.optionId} (${o.kind.replace('_', ' ')})`).join(' · ')}</p>
    <div class="buttons" role="group" aria-label="Decide this request">
      ${offered.map(
        (d) => html`<button type="button" class=${d.kind.startsWith('allow') ? 'allow' : 'reject'} disabled=${busy} onClick=${() => decide(d.decision)}>${d.label}</button>`,
      )}
    </div>
    <${ErrorNote} error=${error} />
  </div>`;
}
