// The transcript of a session: a pure fold of its log events (as the events stream sends them) into what a person
// reads: prompts, agent text, thoughts, plans, tool calls (with their diffs), permission requests and their
// decisions, turn ends. Consecutive text chunks are joined; a tool call's updates are merged into it.
import type { LogEvent } from './event-stream.js';

export interface ToolCallItem {
  kind: 'tool';
  id: string;
  title: string;
  toolKind: string;
  status: string;
  content: any[];
  rawInput: unknown;
  locations: { path: string }[];
}

export interface PermissionItem {
  kind: 'permission';
  approvalId: string;
  method: string;
  toolCall: any;
  options: { optionId: string; name?: string; kind: string }[];
  policy: string;
  requestedAt: string;
  decision?: { decision: string; decidedBy: string; at: string; reason?: string };
}

export type TranscriptItem =
  | { kind: 'prompt'; turn: number; text: string; by: string | undefined; at: string }
  | { kind: 'agent'; text: string }
  | { kind: 'thought'; text: string }
  | { kind: 'plan'; entries: { content: string; status?: string; priority?: string }[] }
  | ToolCallItem
  | PermissionItem
  | { kind: 'turn_end'; turn: number; outcome: string; stopReason: string | null; error: { code: string; message: string } | null; usage: unknown }
  | { kind: 'notice'; text: string; at: string };

export interface TranscriptState {
  items: TranscriptItem[];
  /** the last position folded: the stream's cursor */
  position: number;
  /** the turn running now (a PromptSubmitted without its TurnEnded), or null */
  runningTurn: number | null;
  /** positions folded, in order (checked by the tests: none twice) */
  count: number;
}

export const emptyTranscript: TranscriptState = { items: [], position: 0, runningTurn: null, count: 0 };

/** Fold `events` (after state.position) into a new state; the items array is new when anything changed. */
export function foldTranscript(state: TranscriptState, events: LogEvent[]): TranscriptState {
  const items = state.items.slice();
  let { position, runningTurn, count } = state;
  for (const e of events) {
    if (e.position <= position) continue; // already folded
    position = e.position;
    count++;
    apply(items, e, (t) => (runningTurn = t));
  }
  return { items, position, runningTurn, count };
}

function apply(items: TranscriptItem[], e: LogEvent, setRunning: (turn: number | null) => void): void {
  const d = e.data ?? {};
  switch (e.type) {
    case 'PromptSubmitted':
      items.push({ kind: 'prompt', turn: d.turn, text: blocksText(d.prompt), by: e.meta?.principal, at: e.at });
      setRunning(d.turn);
      return;
    case 'AcpMessage':
      if (d.dir === 'in' && d.msg?.method === 'session/update' && d.msg.params?.update) applyUpdate(items, d.msg.params.update);
      return;
    case 'PermissionRequested':
      items.push({ kind: 'permission', approvalId: d.approval_id, method: d.method, toolCall: d.tool_call, options: d.options ?? [], policy: d.policy, requestedAt: e.at });
      return;
    case 'PermissionDecided': {
      const p = items.find((i): i is PermissionItem => i.kind === 'permission' && i.approvalId === d.approval_id);
      if (p) {
        const decided = { decision: d.decision, decidedBy: d.decided_by, at: e.at, ...(d.reason ? { reason: d.reason } : {}) };
        items[items.indexOf(p)] = { ...p, decision: decided };
      }
      return;
    }
    case 'TurnEnded':
      items.push({ kind: 'turn_end', turn: d.turn, outcome: d.outcome, stopReason: d.stop_reason, error: d.error, usage: d.usage ?? null });
      setRunning(null);
      return;
    case 'TurnCancelRequested':
      items.push({ kind: 'notice', text: `cancel requested (${d.reason})`, at: e.at });
      return;
    case 'SessionClosed':
      items.push({ kind: 'notice', text: `session closed (${d.reason})`, at: e.at });
      return;
    case 'SessionFailed':
      items.push({ kind: 'notice', text: `session failed: ${d.message ?? d.code ?? ''}`, at: e.at });
      return;
    case 'AgentDetached':
      if (d.reason === 'exited' || d.reason === 'gateway_restart') items.push({ kind: 'notice', text: `agent process ${d.reason === 'exited' ? 'exited' : 'lost in a gateway restart'}`, at: e.at });
      return;
    case 'BudgetExceeded':
      items.push({ kind: 'notice', text: `budget exceeded: ${d.budget?.kind} (${d.action})`, at: e.at });
      return;
    default:
      return;
  }
}

function applyUpdate(items: TranscriptItem[], u: any): void {
  const last = items[items.length - 1];
  switch (u.sessionUpdate) {
    case 'agent_message_chunk':
    case 'agent_thought_chunk': {
      const kind = u.sessionUpdate === 'agent_message_chunk' ? 'agent' : 'thought';
      const text = u.content?.type === 'text' ? String(u.content.text ?? '') : `[${u.content?.type ?? 'content'}]`;
      if (last && last.kind === kind) items[items.length - 1] = { kind, text: last.text + text };
      else items.push({ kind, text });
      return;
    }
    case 'plan':
      items.push({ kind: 'plan', entries: Array.isArray(u.entries) ? u.entries : [] });
      return;
    case 'tool_call':
      items.push({
        kind: 'tool',
        id: u.toolCallId,
        title: u.title ?? u.toolCallId,
        toolKind: u.kind ?? 'other',
        status: u.status ?? 'pending',
        content: Array.isArray(u.content) ? u.content : [],
        rawInput: u.rawInput,
        locations: Array.isArray(u.locations) ? u.locations : [],
      });
      return;
    case 'tool_call_update': {
      const i = items.findIndex((x) => x.kind === 'tool' && x.id === u.toolCallId);
      if (i < 0) return;
      const t = items[i] as ToolCallItem;
      items[i] = {
        ...t,
        ...(u.title ? { title: u.title } : {}),
        ...(u.kind ? { toolKind: u.kind } : {}),
        ...(u.status ? { status: u.status } : {}),
        ...(Array.isArray(u.content) ? { content: u.content } : {}),
        ...(u.rawInput !== undefined ? { rawInput: u.rawInput } : {}),
        ...(Array.isArray(u.locations) ? { locations: u.locations } : {}),
      };
      return;
    }
    default:
      return;
  }
}

/** The text of a prompt's content blocks (other blocks named by their type). */
export function blocksText(blocks: unknown): string {
  if (!Array.isArray(blocks)) return '';
  return blocks.map((b: any) => (b?.type === 'text' ? String(b.text ?? '') : `[${b?.type ?? 'block'}${b?.resource?.uri ? ` ${b.resource.uri}` : ''}]`)).join('\n');
}
