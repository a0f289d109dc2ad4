// `/permission [KIND] [TITLE...] [path=P]`, `/bash COMMAND` and `/edit PATH TEXT`: a tool call that needs the user's
// permission, shaped like claude-agent-acp's (tool_call pending → session/request_permission → tool_call_update
// completed|failed).
import { readFileSync } from 'node:fs';
import type { PermissionOption, PromptResponse, RequestPermissionOutcome, ToolCall, ToolCallContent, ToolCallLocation, ToolKind } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';
import { absolutePath, describeClientError, newToolCallId } from './tool-calls.js';

const TOOL_KINDS: readonly ToolKind[] = ['read', 'edit', 'delete', 'move', 'search', 'execute', 'think', 'fetch', 'switch_mode', 'other'];

export const PERMISSION_OPTIONS: PermissionOption[] = [
  { optionId: 'allow_always', kind: 'allow_always', name: 'Always allow' },
  { optionId: 'allow', kind: 'allow_once', name: 'Allow' },
  { optionId: 'reject', kind: 'reject_once', name: 'Reject' },
];

const ALLOWING_OPTION_IDS = new Set(['allow', 'allow_always']);

interface PermissionRequestSpec {
  kind: ToolKind;
  title: string;
  path: string | null;
}

function parseSpec(turn: Turn): PermissionRequestSpec {
  const words: string[] = [];
  let path: string | null = null;
  for (const arg of turn.prompt.args) {
    if (arg.startsWith('path=') && arg.length > 5) path = absolutePath(turn, arg.slice(5));
    else words.push(arg);
  }
  const first = words[0];
  const kind = first !== undefined && (TOOL_KINDS as readonly string[]).includes(first) ? (words.shift() as ToolKind) : 'execute';
  const title = words.length > 0 ? words.join(' ') : kind === 'execute' ? 'echo demo' : `demo ${kind}`;
  return { kind, title, path };
}

/** What the message chunk reports: `selected <optionId>`, `cancelled`, or `error <code> <message>`. */
type Decision = { outcome: RequestPermissionOutcome } | { error: string };

export function permission(turn: Turn): Promise<PromptResponse> {
  return askPermission(turn, parseSpec(turn));
}

/**
 * `/bash COMMAND`: shaped like claude-agent-acp's Bash tool, whose rawInput.command is the text its shell will run:
 * here the rest of the prompt verbatim (spacing, quotes and newlines kept), titled "`COMMAND`". Nothing is run.
 */
export function bash(turn: Turn): Promise<PromptResponse> {
  const command = turn.prompt.argText;
  return askPermission(turn, { kind: 'execute', title: `\`${command.replaceAll('`', '\\`')}\``, path: null, command });
}

/**
 * `/edit PATH TEXT...`: shaped like claude-agent-acp's Edit tool, a tool call of kind edit whose content is a diff
 * (ACP `{type: "diff", path, oldText, newText}`: the file's current text, read by the agent itself, or null for a new
 * file, against TEXT). Writes nothing.
 */
export function edit(turn: Turn): Promise<PromptResponse> {
  const [target = 'demo.txt'] = turn.prompt.args;
  const path = absolutePath(turn, target);
  const newText = turn.prompt.argText.trimStart().slice(target.length).trimStart();
  let oldText: string | null = null;
  try {
    oldText = readFileSync(path, 'utf8');
  } catch {
    /* a new file */
  }
  return askPermission(turn, { kind: 'edit', title: `Edit ${target}`, path, content: [{ type: 'diff', path, oldText, newText }] });
}

async function askPermission(turn: Turn, spec: PermissionRequestSpec & { command?: string; content?: ToolCallContent[] }): Promise<PromptResponse> {
  const toolCallId = newToolCallId();
  const rawInput: Record<string, string> = {};
  if (spec.kind === 'execute') rawInput.command = spec.command ?? spec.title;
  if (spec.path !== null) rawInput.path = spec.path;
  const locations: ToolCallLocation[] | undefined = spec.path !== null ? [{ path: spec.path }] : undefined;
  const toolCall: ToolCall = {
    toolCallId,
    title: spec.title,
    kind: spec.kind,
    status: 'pending',
    rawInput,
    ...(locations ? { locations } : {}),
    ...(spec.content ? { content: spec.content } : {}),
  };

  await turn.send({ sessionUpdate: 'tool_call', ...toolCall });

  const cancelled: Decision = { outcome: { outcome: 'cancelled' } };
  let decision: Decision;
  try {
    // After session/cancel the client must answer `cancelled` anyway; we do not wait for it to do so.
    decision = await turn.untilCancelled<Decision>(
      turn.client
        .request('session/request_permission', { sessionId: turn.sessionId, toolCall, options: PERMISSION_OPTIONS })
        .then((response) => ({ outcome: response.outcome })),
      cancelled,
    );
  } catch (error) {
    decision = { error: describeClientError(error) };
  }

  let report: string;
  let allowed = false;
  if ('error' in decision) report = `permission: error ${decision.error}`;
  else if (decision.outcome.outcome === 'selected') {
    allowed = ALLOWING_OPTION_IDS.has(decision.outcome.optionId);
    report = `permission: selected ${decision.outcome.optionId}`;
  } else report = 'permission: cancelled';
  // A turn cancelled while the answer was already on its way still counts as cancelled.
  if (turn.cancelled) {
    allowed = false;
    report = 'permission: cancelled';
  }

  await turn.send({
    sessionUpdate: 'tool_call_update',
    toolCallId,
    status: allowed ? 'completed' : 'failed',
    rawOutput: allowed ? 'done' : 'User refused permission to run tool',
  });
  await sayInPieces(turn, report);
  return turn.finish();
}
