// Audit: the log with filters (session, event type, time), verify (the result and the first bad position), and the
// filtered log exported as NDJSON (the same lines as `aintegrix audit export`).
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { client, errorText, readRows } from '../api.js';
import type { ExportQuery, VerifyReport } from '../../../client/index.js';
import { when } from '../format.js';
import { ErrorNote } from './parts.js';
import type { LogEvent } from '../event-stream.js';

const SHOWN = 500;
const TYPES = [
  'SessionCreated', 'AgentAttached', 'PromptSubmitted', 'AcpMessage', 'PermissionRequested', 'PermissionDecided', 'TurnCancelRequested',
  'TurnEnded', 'SessionClosed', 'SessionFailed', 'SessionForked', 'ModelChanged', 'BudgetExceeded', 'RepoCloned', 'TerminalStarted',
];

interface Filters {
  session: string;
  type: string;
  since: string;
  until: string;
}

/** The export's query for the filters; datetime-local values are local times, sent with their zone. */
function exportQuery(f: Filters): ExportQuery {
  const q: ExportQuery = {};
  if (f.session.trim()) q.stream = `session:${f.session.trim()}`;
  if (f.type.trim()) q.type = f.type.trim();
  if (f.since) q.since = new Date(f.since).toISOString();
  if (f.until) q.until = new Date(f.until).toISOString();
  return q;
}

export function AuditPage() {
  const [filters, setFilters] = useState<Filters>({ session: '', type: '', since: '', until: '' });
  const [rows, setRows] = useState<{ rows: LogEvent[]; more: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [verify, setVerify] = useState<VerifyReport | null>(null);
  const [verifying, setVerifying] = useState(false);
  const field = (k: keyof Filters) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });

  const show = async (e?: Event) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setRows(await readRows<LogEvent>(client().exportAudit(exportQuery(filters)), SHOWN));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const download = async () => {
    setError(null);
    try {
      const blob = await (await client().open('exportAudit', { query: { ...exportQuery(filters) } })).blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `aintegrix-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const runVerify = async () => {
    setVerifying(true);
    setVerify(null);
    setError(null);
    try {
      setVerify(await client().verifyAudit());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setVerifying(false);
    }
  };

  return html`<h1>Audit log</h1>
    <section aria-labelledby="verify-title" class="verify">
      <h2 id="verify-title">Integrity</h2>
      <p class="muted">Checks the hash chain, the stream versions and the signed checkpoints of the whole log.</p>
      <button type="button" onClick=${runVerify} disabled=${verifying}>${verifying ? 'Verifying…' : 'Verify log'}</button>
      <div role="status" aria-live="polite">
        ${verify
          ? html`<div class=${`verify-result ${verify.ok ? 'ok' : 'bad'}`} data-verify=${verify.ok ? 'ok' : 'bad'}>
              <p><strong>${verify.ok ? 'Intact' : 'BROKEN'}</strong>: ${verify.checked} events checked.</p>
              ${verify.ok
                ? html`<p>Head <code class="wrap">${verify.head}</code>${verify.checkpoints ? html` · ${verify.checkpoints.count} signed checkpoints (MAC ${verify.checkpoints.mac})` : null}</p>`
                : html`<p>First bad position: <strong data-first-bad>${verify.first_bad_position ?? '—'}</strong>. ${verify.reason ?? ''}${verify.checkpoint_seq !== undefined ? ` (checkpoint ${verify.checkpoint_seq})` : ''}</p>`}
            </div>`
          : null}
      </div>
    </section>
    <section aria-labelledby="log-title">
      <h2 id="log-title">Events</h2>
      <form class="filters" onSubmit=${show}>
        <label>Session <input type="text" value=${filters.session} onInput=${field('session')} placeholder="session id" /></label>
        <label>Type <input type="text" list="event-types" value=${filters.type} onInput=${field('type')} placeholder="any" /></label>
        <datalist id="event-types">${TYPES.map((t) => html`<option value=${t} />`)}</datalist>
        <label>From <input type="datetime-local" value=${filters.since} onInput=${field('since')} /></label>
        <label>Until <input type="datetime-local" value=${filters.until} onInput=${field('until')} /></label>
        <div class="buttons">
          <button type="submit" disabled=${busy}>Show events</button>
          <button type="button" class="secondary" onClick=${download}>Export NDJSON</button>
        </div>
      </form>
      <${ErrorNote} error=${error} />
      ${rows
        ? html`<p class="muted" aria-live="polite">${rows.rows.length} events${rows.more ? ` (the first ${SHOWN}; export for all)` : ''}</p>
          <div class="table-wrap">
            <table class="events">
              <thead><tr><th scope="col">Position</th><th scope="col">When</th><th scope="col">Stream</th><th scope="col">Type</th><th scope="col">Who</th><th scope="col">Data</th></tr></thead>
              <tbody>
                ${rows.rows.map(
                  (e) => html`<tr key=${e.position}>
                    <td data-label="Position">${e.position}</td>
                    <td data-label="When">${when(e.at)}</td>
                    <td data-label="Stream"><code>${e.stream}</code></td>
                    <td data-label="Type">${e.type}</td>
                    <td data-label="Who">${e.meta?.principal ?? ''}</td>
                    <td data-label="Data"><details><summary>data</summary><pre>${JSON.stringify(e.data, null, 2)}</pre></details></td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : null}
    </section>`;
}
