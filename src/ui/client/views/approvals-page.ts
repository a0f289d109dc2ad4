// Approvals: the requests agents wait on (the agent's options, the tool call with its diff or command, the real
// paths), decided here; and the decisions of the last day, with who decided and when (read from the audit log).
import { html } from '../html.js';
import { client, readRows } from '../api.js';
import { usePoll } from '../poll.js';
import { sessionHref } from '../route.js';
import { when } from '../format.js';
import { ApprovalActions, ErrorNote, ToolCallView } from './parts.js';
import type { LogEvent } from '../event-stream.js';

interface Decided {
  approvalId: string;
  sessionId: string;
  decision: string;
  decidedBy: string;
  at: string;
  reason?: string;
  title: string;
}

const DECIDED_SHOWN = 50;
const DECIDED_WINDOW_MS = 24 * 3600 * 1000;

async function loadDecided(): Promise<Decided[]> {
  const since = new Date(Date.now() - DECIDED_WINDOW_MS).toISOString();
  const read = (type: string) => readRows<LogEvent>(client().exportAudit({ type, since }), 20_000);
  const [requested, decided] = await Promise.all([read('PermissionRequested'), read('PermissionDecided')]);
  const titles = new Map(requested.rows.map((e) => [e.data.approval_id as string, String(e.data.tool_call?.title ?? e.data.method)]));
  return decided.rows
    .slice(-DECIDED_SHOWN)
    .reverse()
    .map((e) => ({
      approvalId: e.data.approval_id,
      sessionId: e.stream.replace(/^session:/, ''),
      decision: e.data.decision,
      decidedBy: e.data.decided_by,
      at: e.at,
      ...(e.data.reason ? { reason: e.data.reason } : {}),
      title: titles.get(e.data.approval_id) ?? '',
    }));
}

export function ApprovalsPage() {
  const pending = usePoll(() => client().listApprovals(), 2000);
  const decided = usePoll(loadDecided, 4000);
  const refresh = () => {
    pending.reload();
    decided.reload();
  };
  return html`<h1>Approvals</h1>
    <section aria-labelledby="pending-title">
      <h2 id="pending-title">Pending <span class="muted">(${pending.data?.length ?? '…'})</span></h2>
      <${ErrorNote} error=${pending.error} />
      ${pending.data && pending.data.length === 0 ? html`<p class="muted">No agent is waiting for a decision.</p>` : null}
      <ul class="cards">
        ${(pending.data ?? []).map(
          (a) => html`<li class="card approval" key=${a.approval_id} data-approval=${a.approval_id}>
            <p class="meta"><a href=${sessionHref(a.session_id)}>${a.session_id}</a> · ${a.agent} · turn ${a.turn ?? '—'} · <code>${a.method}</code></p>
            <${ToolCallView} call=${a.tool_call} />
            ${a.real_paths && a.real_paths.length > 0 ? html`<p>Real paths: ${a.real_paths.map((p) => html`<code>${p}</code> `)}</p>` : null}
            <p class="muted">Asked ${when(a.requested_at)}${a.deadline ? ` · rejected automatically at ${when(a.deadline)}` : ''}</p>
            <${ApprovalActions} approvalId=${a.approval_id} options=${a.options} onDecided=${refresh} />
          </li>`,
        )}
      </ul>
    </section>
    <section aria-labelledby="decided-title">
      <h2 id="decided-title">Decided in the last 24 hours</h2>
      <${ErrorNote} error=${decided.error} />
      <div class="table-wrap">
        <table class="decided">
          <thead><tr><th scope="col">When</th><th scope="col">Decision</th><th scope="col">By</th><th scope="col">Request</th><th scope="col">Session</th></tr></thead>
          <tbody>
            ${(decided.data ?? []).map(
              (d) => html`<tr key=${d.approvalId} data-approval=${d.approvalId}>
                <td data-label="When">${when(d.at)}</td>
                <td data-label="Decision">${d.decision.replaceAll('_', ' ')}${d.reason ? html` <span class="muted">(${d.reason})</span>` : null}</td>
                <td data-label="By">${d.decidedBy}</td>
                <td data-label="Request">${d.title}</td>
                <td data-label="Session"><a href=${sessionHref(d.sessionId)}>${d.sessionId}</a></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${decided.data && decided.data.length === 0 ? html`<p class="muted">No decisions in the last 24 hours.</p>` : null}
    </section>`;
}
