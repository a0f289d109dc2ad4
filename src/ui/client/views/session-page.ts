// One session: its live transcript (followed over SSE with the log cursor: a reload reads it again from the log, a
// dropped connection resumes after the last position seen), a prompt box, cancel, and the requests it waits on.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { client, ApiError, errorText } from '../api.js';
import { usePoll } from '../poll.js';
import { followSessionEvents, type StreamState } from '../event-stream.js';
import { emptyTranscript, foldTranscript, type TranscriptItem } from '../transcript.js';
import { usageText, when } from '../format.js';
import { ApprovalActions, ErrorNote, StatusBadge, ToolCallView } from './parts.js';

const STATE_TEXT: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'connection lost: reconnecting…',
  stopped: 'stopped',
};

export function SessionPage({ id }: { id: string }) {
  const detail = usePoll(() => client().getSession(id), 2000, [id]);
  const [transcript, setTranscript] = useState(emptyTranscript);
  const [stream, setStream] = useState<{ state: StreamState; detail?: string }>({ state: 'connecting' });
  useEffect(() => {
    setTranscript(emptyTranscript);
    return followSessionEvents(id, {
      after: 0,
      onEvents: (events) => setTranscript((t) => foldTranscript(t, events)),
      onState: (state, d) => setStream({ state, ...(d ? { detail: d } : {}) }),
    });
  }, [id]);
  const s = detail.data;
  const open = s !== undefined && s.status !== 'closed' && s.status !== 'failed';
  return html`<div class="session-page">
    <h1>Session <code>${id}</code></h1>
    ${s
      ? html`<dl class="facts">
          <div><dt>Status</dt><dd><${StatusBadge} status=${s.status} /></dd></div>
          <div><dt>Agent</dt><dd>${s.agent}${s.model ? ` (${s.model})` : ''}</dd></div>
          <div><dt>Turns</dt><dd>${s.turns}</dd></div>
          <div><dt>Usage</dt><dd>${usageText(s.usage)}</dd></div>
          <div><dt>Created</dt><dd>${when(s.created_at)}</dd></div>
          <div><dt>Workspace</dt><dd><code>${s.workspace_root}</code></dd></div>
        </dl>
        ${open ? html`<${CloseButton} id=${id} onClosed=${detail.reload} />` : null}`
      : null}
    <${ErrorNote} error=${detail.error} />
    <p class=${`stream-state stream-${stream.state}`} role="status" data-stream-state=${stream.state}>
      Transcript: ${STATE_TEXT[stream.state]}${stream.detail && stream.state !== 'live' ? html` <span class="muted">(${stream.detail})</span>` : null}
      <span class="muted"> · at position ${transcript.position}</span>
    </p>
    <ol class="transcript" role="log" aria-live="polite" aria-label="Transcript" data-position=${transcript.position} data-count=${transcript.count}>
      ${transcript.items.map((item, i) => html`<${Item} key=${i} item=${item} />`)}
    </ol>
    ${open ? html`<${PromptBox} id=${id} running=${transcript.runningTurn !== null} onSubmitted=${detail.reload} />` : html`<p class="muted">This session is ${s?.status ?? '…'}: it takes no more prompts.</p>`}
  </div>`;
}

function Item({ item }: { item: TranscriptItem }) {
  switch (item.kind) {
    case 'prompt':
      return html`<li class="item prompt"><div class="who">You${item.by ? ` (${item.by})` : ''} · turn ${item.turn}</div><div class="text">${item.text}</div></li>`;
    case 'agent':
      return html`<li class="item agent"><div class="who">Agent</div><div class="text">${item.text}</div></li>`;
    case 'thought':
      return html`<li class="item thought"><details><summary>Thought</summary><div class="text">${item.text}</div></details></li>`;
    case 'plan':
      return html`<li class="item plan"><div class="who">Plan</div><ul>${item.entries.map((e) => html`<li><span class="muted">[${e.status ?? 'pending'}]</span> ${e.content}</li>`)}</ul></li>`;
    case 'tool':
      return html`<li class="item tool"><${ToolCallView} call=${{ ...item, kind: item.toolKind }} /></li>`;
    case 'permission':
      return html`<li class="item permission" data-approval=${item.approvalId}>
        <div class="who">Permission request (${item.method}, policy ${item.policy})</div>
        <${ToolCallView} call=${{ ...item.toolCall, status: undefined }} />
        ${item.decision
          ? html`<p class="decided">Decided <strong>${item.decision.decision.replaceAll('_', ' ')}</strong> by ${item.decision.decidedBy}, ${when(item.decision.at)}${item.decision.reason ? `: ${item.decision.reason}` : ''}</p>`
          : item.policy === 'ask'
            ? html`<${ApprovalActions} approvalId=${item.approvalId} options=${item.options} />`
            : html`<p class="muted">waiting for the policy's answer</p>`}
      </li>`;
    case 'turn_end':
      return html`<li class=${`item turn-end outcome-${item.outcome}`}>Turn ${item.turn} ${item.outcome}${item.stopReason ? ` (${item.stopReason})` : ''}${item.error ? `: ${item.error.message}` : ''}</li>`;
    case 'notice':
      return html`<li class="item notice">${item.text} <span class="muted">${when(item.at)}</span></li>`;
  }
}

function CloseButton({ id, onClosed }: { id: string; onClosed: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const close = async () => {
    try {
      await client().closeSession(id);
      onClosed();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return html`<div class="buttons"><button type="button" class="secondary" onClick=${close}>Close session</button></div><${ErrorNote} error=${error} />`;
}

function PromptBox({ id, running, onSubmitted }: { id: string; running: boolean; onSubmitted: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const send = async (e: Event) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    setError(null);
    setNote(null);
    setText('');
    // The answer comes through the transcript stream; this request only returns when the turn ends.
    const pending = client().prompt(id, t);
    setTimeout(onSubmitted, 300);
    try {
      await pending;
    } catch (err) {
      // status 0: the answer never came (the connection dropped), unlike a refusal or a failed turn
      if (err instanceof ApiError && err.status !== 0) setError(errorText(err));
      else setNote('The connection dropped while the turn ran. The turn goes on at the gateway; the transcript follows it.');
    }
    onSubmitted();
  };
  const cancel = async () => {
    try {
      await client().cancelTurn(id);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const keyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
  };
  return html`<form class="prompt-box" onSubmit=${send}>
    <label for="prompt">Prompt</label>
    <textarea id="prompt" ref=${input} rows="3" value=${text} aria-describedby="prompt-help"
      onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)} onKeyDown=${keyDown}></textarea>
    <p id="prompt-help" class="muted">Ctrl+Enter sends. ${running ? 'A turn is running.' : ''}</p>
    <div class="buttons">
      <button type="submit" disabled=${running || !text.trim()}>Send</button>
      <button type="button" class="secondary" disabled=${!running} onClick=${cancel}>Cancel turn</button>
    </div>
    <${ErrorNote} error=${error} />
    ${note ? html`<p class="note" role="status">${note}</p>` : null}
  </form>`;
}
