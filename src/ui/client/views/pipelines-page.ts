// Pipelines (POST /api/v1/pipelines): the runs, live; starting one; a run's steps in order, each with its agent,
// status, answer and session.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { client, errorText } from '../api.js';
import { usePoll } from '../poll.js';
import { sessionHref } from '../route.js';
import { when } from '../format.js';
import { ErrorNote, StatusBadge } from './parts.js';
import { sseFrames, type PipelineInput } from '../../../client/index.js';

export const pipelineHref = (id: string) => `#/pipelines/${encodeURIComponent(id)}`;

export function PipelinesPage() {
  const { data, error, reload } = usePoll(() => client().listPipelines(), 2000);
  return html`<h1>Pipelines</h1>
    <${StartPipeline} onStarted=${reload} />
    <${ErrorNote} error=${error} />
    <div class="table-wrap">
      <table class="pipelines">
        <thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Steps</th><th scope="col">Started</th></tr></thead>
        <tbody>
          ${(data ?? []).slice().reverse().map(
            (p) => html`<tr key=${p.id} data-pipeline=${p.id}>
              <th scope="row" data-label="Run"><a href=${pipelineHref(p.id)}>${p.id}</a></th>
              <td data-label="Status"><${StatusBadge} status=${p.status} /></td>
              <td data-label="Steps">${p.steps_completed} / ${p.results.length}: ${p.results.map((s) => s.agent).join(' → ')}</td>
              <td data-label="Started">${when(p.created_at)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${data && data.length === 0 ? html`<p class="muted">No pipelines yet.</p>` : null}`;
}

function StartPipeline({ onStarted }: { onStarted: () => void }) {
  const [agents, setAgents] = useState<string[]>([]);
  const [steps, setSteps] = useState('');
  const [input, setInput] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client().listAgents().then((a) => setAgents(a.map((x) => x.name)), (e: unknown) => setError(errorText(e)));
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    // one step a line: `agent` or `agent: template` (the template may use {{input}}, {{previous}}, {{steps.N.text}})
    const parsed: PipelineInput['steps'] = steps
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const i = l.indexOf(':');
        return i < 0 ? { agent: l } : { agent: l.slice(0, i).trim(), prompt_template: l.slice(i + 1).trim() };
      });
    setBusy(true);
    setError(null);
    try {
      const id = await startRun({ steps: parsed, messages: [{ type: 'text', text: input }] });
      onStarted();
      location.hash = pipelineHref(id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="create" onSubmit=${submit} aria-labelledby="pipe-title">
    <h2 id="pipe-title">New pipeline</h2>
    <label for="pipe-steps">Steps</label>
    <textarea id="pipe-steps" rows="3" required value=${steps} aria-describedby="pipe-help" onInput=${(e: Event) => setSteps((e.target as HTMLTextAreaElement).value)}></textarea>
    <p id="pipe-help" class="muted">One step a line: <code>agent</code> or <code>agent: template</code> with <code>{{input}}</code>, <code>{{previous}}</code>, <code>{{steps.N.text}}</code>. Agents: ${agents.join(', ')}</p>
    <label>Input <textarea rows="2" required value=${input} onInput=${(e: Event) => setInput((e.target as HTMLTextAreaElement).value)}></textarea></label>
    <div class="buttons"><button type="submit" disabled=${busy}>${busy ? 'Running…' : 'Run'}</button></div>
    <${ErrorNote} error=${error} />
  </form>`;
}

/**
 * Start a run and answer its id as soon as it started (the run's page then follows it): the POST as a stream, read up
 * to its first frame. Leaving the stream does not stop the run; a refused request (an unknown agent, a bad template)
 * is the client's ApiError before any frame.
 */
async function startRun(body: PipelineInput): Promise<string> {
  const res = await client().open('runPipeline', { body, headers: { accept: 'text/event-stream' } });
  for await (const f of sseFrames(res.body!)) {
    if (f.event === 'pipeline_started') return (JSON.parse(f.data) as { id: string }).id;
  }
  throw new Error('the pipeline stream ended before the run started');
}

export function PipelinePage({ id }: { id: string }) {
  const { data: p, error, reload } = usePoll(() => client().getPipeline(id), 2000, [id]);
  const [acting, setActing] = useState(false);
  const [actError, setActError] = useState<string | null>(null);
  // Cancel: DELETE (cancels the running step, closes the steps' sessions). Resume: an interrupted run from its
  // interrupted step; the blocking POST answers when the run ended, so the page is reloaded at once and polls on.
  const act = async (what: 'cancel' | 'resume') => {
    setActing(true);
    setActError(null);
    try {
      if (what === 'cancel') await client().deletePipeline(id);
      else void client().resumePipeline(id).then(reload, (e: unknown) => setActError(errorText(e)));
      reload();
    } catch (e) {
      setActError(errorText(e));
    } finally {
      setActing(false);
    }
  };
  return html`<h1>Pipeline <code>${id}</code></h1>
    <${ErrorNote} error=${error} />
    ${p && !p.deleted && (p.status === 'running' || p.final_status === 'interrupted')
      ? html`<div class="buttons">
          ${p.status === 'running' ? html`<button type="button" disabled=${acting} onClick=${() => act('cancel')}>Cancel</button>` : null}
          ${p.final_status === 'interrupted' ? html`<button type="button" disabled=${acting} onClick=${() => act('resume')}>Resume</button>` : null}
        </div>`
      : null}
    <${ErrorNote} error=${actError} />
    ${p
      ? html`<dl class="facts">
            <div><dt>Status</dt><dd><${StatusBadge} status=${p.status} />${p.deleted ? ' (deleted)' : ''}</dd></div>
            <div><dt>Steps completed</dt><dd>${p.steps_completed} / ${p.results.length}</dd></div>
            <div><dt>Started</dt><dd>${when(p.created_at)}</dd></div>
            <div><dt>Duration</dt><dd>${p.duration_ms !== null ? `${(p.duration_ms / 1000).toFixed(1)} s` : 'running'}</dd></div>
            <div><dt>Workspace</dt><dd><code>${p.workspace_root}</code></dd></div>
          </dl>
          ${p.reason ? html`<p class="note">${p.reason}</p>` : null}
          <h2>Steps</h2>
          <ol class="steps">
            ${p.results.map(
              (s) => html`<li class="item step" data-step=${s.step}>
                <h3 class="who">Step ${s.step} · ${s.agent}${s.model ? ` (${s.model})` : ''}</h3>
                <p><${StatusBadge} status=${s.status} /> ${s.stop_reason ? html`<span class="muted">${s.stop_reason}</span>` : null}
                  ${s.duration_ms !== null ? html` <span class="muted">· ${(s.duration_ms / 1000).toFixed(1)} s</span>` : null}
                  ${s.session_id ? html` · <a href=${sessionHref(s.session_id)}>session ${s.session_id}</a>` : null}</p>
                ${s.error ? html`<p class="error">${s.error.message} (${s.error.code})</p>` : null}
                <div class="text">${s.text}</div>
              </li>`,
            )}
          </ol>`
      : null}`;
}
