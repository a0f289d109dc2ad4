// Sessions: the live list (status, agent, turns, pending approvals, usage), creating one, closing one.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { client, errorText } from '../api.js';
import { usePoll } from '../poll.js';
import { sessionHref } from '../route.js';
import { usageText, when, type UsageFigures } from '../format.js';
import { ErrorNote, StatusBadge } from './parts.js';

import type { SessionSummary } from '../../../client/index.js';

interface ListData {
  sessions: SessionSummary[];
  pending: Map<string, number>;
  usage: Map<string, UsageFigures>;
}

async function loadList(): Promise<ListData> {
  const [sessions, approvals, usage] = await Promise.all([
    client().listSessions(),
    client().listApprovals(),
    client().usage({ group_by: 'session' }),
  ]);
  const pending = new Map<string, number>();
  for (const a of approvals) pending.set(a.session_id, (pending.get(a.session_id) ?? 0) + 1);
  return { sessions: sessions.slice().reverse(), pending, usage: new Map(usage.groups.map((g) => [g.key ?? '', g])) };
}

export function SessionsPage() {
  const { data, error, reload } = usePoll(loadList, 2000);
  const [showClosed, setShowClosed] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const close = async (id: string) => {
    setActionError(null);
    try {
      await client().closeSession(id);
      reload();
    } catch (e) {
      setActionError(errorText(e));
    }
  };
  const shown = (data?.sessions ?? []).filter((s) => showClosed || (s.status !== 'closed' && s.status !== 'failed'));
  return html`<h1>Sessions</h1>
    <${CreateSession} onCreated=${(id: string) => (location.hash = sessionHref(id))} />
    <${ErrorNote} error=${error ?? actionError} />
    <div class="toolbar">
      <label class="check"><input type="checkbox" checked=${showClosed} onChange=${(e: Event) => setShowClosed((e.target as HTMLInputElement).checked)} /> Show closed and failed</label>
      <span class="muted" aria-live="polite">${data ? `${shown.length} shown` : 'loading…'}</span>
    </div>
    <div class="table-wrap">
      <table class="sessions">
        <caption class="visually-hidden">Sessions, newest first, updated live</caption>
        <thead><tr><th scope="col">Session</th><th scope="col">Status</th><th scope="col">Agent</th><th scope="col">Turns</th><th scope="col">Pending approvals</th><th scope="col">Usage</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          ${shown.map((s) => {
            const pending = data!.pending.get(s.id) ?? 0;
            return html`<tr key=${s.id} data-session=${s.id}>
              <th scope="row" data-label="Session"><a href=${sessionHref(s.id)}>${s.id}</a></th>
              <td data-label="Status"><${StatusBadge} status=${s.status} /></td>
              <td data-label="Agent">${s.agent}${s.model ? html` <span class="muted">(${s.model})</span>` : null}</td>
              <td data-label="Turns">${s.turns}</td>
              <td data-label="Pending approvals">${pending > 0 ? html`<a href="#/approvals" class="pending">${pending}</a>` : '0'}</td>
              <td data-label="Usage">${usageText(data!.usage.get(s.id))}</td>
              <td data-label="Created">${when(s.created_at)}</td>
              <td>${s.status === 'closed' ? null : html`<button type="button" class="secondary" aria-label=${`Close session ${s.id}`} onClick=${() => close(s.id)}>Close</button>`}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
    ${data && shown.length === 0 ? html`<p class="muted">No sessions${showClosed ? '' : ' open'}.</p>` : null}`;
}

function CreateSession({ onCreated }: { onCreated: (id: string) => void }) {
  const [agents, setAgents] = useState<{ name: string }[]>([]);
  const [agent, setAgent] = useState('');
  const [model, setModel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client().listAgents().then(
      (a) => {
        setAgents(a);
        if (a[0]) setAgent((current) => current || a[0]!.name);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await client().createSession({ agent, ...(model.trim() ? { model: model.trim() } : {}) });
      onCreated(s.id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="create" onSubmit=${submit} aria-labelledby="create-title">
    <h2 id="create-title">New session</h2>
    <div class="fields">
      <label>Agent
        <select value=${agent} onChange=${(e: Event) => setAgent((e.target as HTMLSelectElement).value)} required>
          ${agents.map((a) => html`<option value=${a.name}>${a.name}</option>`)}
        </select>
      </label>
      <label>Model <span class="muted">(optional)</span>
        <input type="text" value=${model} onInput=${(e: Event) => setModel((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit" disabled=${busy || !agent}>Create session</button>
    </div>
    <${ErrorNote} error=${error} />
  </form>`;
}
