// Orchestrations (POST /api/v1/orchestrate): the runs, live; starting one; a run's candidates side by side (each
// answer, its diff when isolated in a worktree, its session), the winner and the jury's verdict with its matches.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { client, errorText } from '../api.js';
import { usePoll } from '../poll.js';
import { sessionHref } from '../route.js';
import { when } from '../format.js';
import { ErrorNote, StatusBadge } from './parts.js';
import type { OrchestrateInput, Orchestration } from '../../../client/index.js';

type Verdict = NonNullable<Orchestration['verdict']>;

export const orchestrationHref = (id: string) => `#/orchestrations/${encodeURIComponent(id)}`;

export function OrchestrationsPage() {
  const { data, error, reload } = usePoll(() => client().listOrchestrations(), 2000);
  return html`<h1>Orchestrations</h1>
    <${StartOrchestration} onStarted=${reload} />
    <${ErrorNote} error=${error} />
    <div class="table-wrap">
      <table class="orchestrations">
        <thead><tr><th scope="col">Run</th><th scope="col">Strategy</th><th scope="col">Status</th><th scope="col">Candidates</th><th scope="col">Winner</th><th scope="col">Started</th></tr></thead>
        <tbody>
          ${(data ?? []).slice().reverse().map(
            (o) => html`<tr key=${o.id} data-orchestration=${o.id}>
              <th scope="row" data-label="Run"><a href=${orchestrationHref(o.id)}>${o.id}</a></th>
              <td data-label="Strategy">${o.strategy}</td>
              <td data-label="Status"><${StatusBadge} status=${o.status} /></td>
              <td data-label="Candidates">${o.candidates.map((c) => `${c.label}: ${c.agent}`).join(', ')}</td>
              <td data-label="Winner">${o.winner ?? '—'}</td>
              <td data-label="Started">${when(o.created_at)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${data && data.length === 0 ? html`<p class="muted">No orchestrations yet.</p>` : null}`;
}

function StartOrchestration({ onStarted }: { onStarted: () => void }) {
  const [agents, setAgents] = useState<string[]>([]);
  const [form, setForm] = useState({ agents: '', strategy: 'parallel', judge: '', prompt: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client().listAgents().then((a) => setAgents(a.map((x) => x.name)), (e: unknown) => setError(errorText(e)));
  }, []);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const names = form.agents.split(/[\s,]+/).filter(Boolean);
    setBusy(true);
    setError(null);
    // the POST answers when the run ends; the list shows it running meanwhile
    const run = client().orchestrate({
      agents: names,
      strategy: form.strategy as OrchestrateInput['strategy'],
      ...(form.strategy === 'jury' && form.judge ? { judge: form.judge } : {}),
      messages: [{ type: 'text', text: form.prompt }],
    });
    setTimeout(onStarted, 500);
    try {
      const o = await run;
      location.hash = orchestrationHref(o.id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="create" onSubmit=${submit} aria-labelledby="orch-title">
    <h2 id="orch-title">New orchestration</h2>
    <div class="fields">
      <label>Agents <span class="muted">(one per candidate, e.g. ${agents[0] ?? 'demo'} ${agents[0] ?? 'demo'})</span>
        <input type="text" required value=${form.agents} onInput=${set('agents')} list="agent-names" />
      </label>
      <datalist id="agent-names">${agents.map((a) => html`<option value=${a} />`)}</datalist>
      <label>Strategy
        <select value=${form.strategy} onChange=${set('strategy')}>
          <option value="parallel">parallel</option><option value="race">race</option><option value="jury">jury</option>
        </select>
      </label>
      ${form.strategy === 'jury'
        ? html`<label>Judge
            <select value=${form.judge} onChange=${set('judge')} required>
              <option value="">choose an agent</option>
              ${agents.map((a) => html`<option value=${a}>${a}</option>`)}
            </select>
          </label>`
        : null}
    </div>
    <label>Prompt <textarea rows="2" required value=${form.prompt} onInput=${set('prompt')}></textarea></label>
    <div class="buttons"><button type="submit" disabled=${busy}>${busy ? 'Running…' : 'Run'}</button></div>
    <${ErrorNote} error=${error} />
  </form>`;
}

export function OrchestrationPage({ id }: { id: string }) {
  const { data: o, error, reload } = usePoll(() => client().getOrchestration(id), 2000, [id]);
  const [acting, setActing] = useState(false);
  const [actError, setActError] = useState<string | null>(null);
  // Cancel: DELETE (cancels the candidates, closes their sessions; a deleted orchestration is gone: back to the list). Resume: an interrupted run; the blocking POST
  // answers when it ended, so the page reloads at once and polls on.
  const act = async (what: 'cancel' | 'resume') => {
    setActing(true);
    setActError(null);
    try {
      if (what === 'cancel') {
        await client().deleteOrchestration(id);
        location.hash = '#/orchestrations';
        return;
      }
      void client().resumeOrchestration(id).then(reload, (e: unknown) => setActError(errorText(e)));
      reload();
    } catch (e) {
      setActError(errorText(e));
    } finally {
      setActing(false);
    }
  };
  const running = o?.status === 'running' || o?.status === 'judging';
  return html`<h1>Orchestration <code>${id}</code></h1>
    <${ErrorNote} error=${error} />
    ${running || o?.status === 'interrupted'
      ? html`<div class="buttons">
          ${running ? html`<button type="button" disabled=${acting} onClick=${() => act('cancel')}>Cancel</button>` : null}
          ${o?.status === 'interrupted' ? html`<button type="button" disabled=${acting} onClick=${() => act('resume')}>Resume</button>` : null}
        </div>`
      : null}
    <${ErrorNote} error=${actError} />
    ${o
      ? html`<dl class="facts">
            <div><dt>Strategy</dt><dd>${o.strategy}${o.judge ? ` (judge: ${o.judge})` : ''}</dd></div>
            <div><dt>Status</dt><dd><${StatusBadge} status=${o.status} /></dd></div>
            <div><dt>Winner</dt><dd>${o.winner ? `${o.winner.label} (${o.winner.agent})` : '—'}</dd></div>
            <div><dt>Duration</dt><dd>${o.duration_ms !== null ? `${(o.duration_ms / 1000).toFixed(1)} s` : 'running'}</dd></div>
          </dl>
          ${o.reason ? html`<p class="note">${o.reason}</p>` : null}
          <h2>Candidates</h2>
          <div class="side-by-side">
            ${o.results.map(
              (c) => html`<section class=${`candidate${o.winner?.label === c.label ? ' winner' : ''}`} aria-label=${`Candidate ${c.label}`} data-candidate=${c.label}>
                <h3>${c.label} · ${c.agent} ${o.winner?.label === c.label ? html`<span class="badge badge-completed">winner</span>` : null}</h3>
                <p><${StatusBadge} status=${c.status} /> ${c.stop_reason ? html`<span class="muted">${c.stop_reason}</span>` : null}
                  ${c.duration_ms !== null ? html` <span class="muted">· ${(c.duration_ms / 1000).toFixed(1)} s</span>` : null}</p>
                ${c.session_id ? html`<p><a href=${sessionHref(c.session_id)}>session ${c.session_id}</a></p>` : null}
                ${c.error ? html`<p class="error">${c.error.message} (${c.error.code})</p>` : null}
                <div class="text">${c.text}</div>
                ${c.diff_stat !== undefined ? html`<details><summary>Diff: ${c.diff_stat || 'no changes'}</summary><pre>${c.diff}</pre></details>` : null}
              </section>`,
            )}
          </div>
          ${o.verdict ? html`<${VerdictView} verdict=${o.verdict} />` : null}
          ${o.matches && o.matches.length > 1
            ? html`<h2>Matches</h2><ol>${o.matches.map((m) => html`<li>round ${m.round}: ${m.labels.join(' vs ')} → ${(m.verdict as Verdict | null)?.winner ?? 'pending'}</li>`)}</ol>`
            : null}`
      : null}`;
}

function VerdictView({ verdict }: { verdict: Verdict }) {
  return html`<section class="verdict" aria-labelledby="verdict-title">
    <h2 id="verdict-title">Verdict</h2>
    <p>Winner <strong>${verdict.winner}</strong>${verdict.fallback ? html` <span class="note">fallback: ${verdict.reason ?? 'the judge gave no valid verdict'}</span>` : null}</p>
    ${Object.keys(verdict.scores).length > 0
      ? html`<table class="scores"><thead><tr><th scope="col">Candidate</th><th scope="col">Score</th></tr></thead>
          <tbody>${Object.entries(verdict.scores).map(([k, v]) => html`<tr><td data-label="Candidate">${k}</td><td data-label="Score">${v}</td></tr>`)}</tbody></table>`
      : null}
    ${verdict.rationale ? html`<div class="text">${verdict.rationale}</div>` : null}
  </section>`;
}
