// `/read`, `/write` (paths resolved against the session cwd) and `/read-raw`, `/write-raw` (path sent exactly
// as typed, e.g. `../x`, so the gateway's confinement of fs/* can be tested). Each call is shown as a tool call.
import type { PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';
import { absolutePath, describeClientError, newToolCallId } from './tool-calls.js';

function positiveInt(arg: string | undefined): number | null | undefined {
  if (arg === undefined) return undefined;
  return /^\d+$/.test(arg) && Number(arg) >= 1 ? Number(arg) : null;
}

async function answer(turn: Turn, text: string): Promise<PromptResponse> {
  await sayInPieces(turn, text);
  return turn.finish();
}

async function readFile(turn: Turn, raw: boolean): Promise<PromptResponse> {
  const [pathArg, lineArg, limitArg] = turn.prompt.args;
  const line = positiveInt(lineArg);
  const limit = positiveInt(limitArg);
  if (pathArg === undefined || line === null || limit === null) {
    return answer(turn, `usage: /${raw ? 'read-raw' : 'read'} PATH [LINE] [LIMIT]`);
  }
  if (turn.clientCapabilities.fs?.readTextFile !== true) {
    return answer(turn, 'read: the client does not support fs/read_text_file');
  }
  const path = raw ? pathArg : absolutePath(turn, pathArg);
  const toolCallId = newToolCallId();
  await turn.send({
    sessionUpdate: 'tool_call',
    toolCallId,
    title: `Read ${path}`,
    kind: 'read',
    status: 'in_progress',
    locations: [{ path, ...(line !== undefined ? { line } : {}) }],
    rawInput: { path, ...(line !== undefined ? { line } : {}), ...(limit !== undefined ? { limit } : {}) },
  });
  try {
    const response = await turn.client.request('fs/read_text_file', {
      sessionId: turn.sessionId,
      path,
      ...(line !== undefined ? { line } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    await turn.send({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed' });
    return answer(turn, `read ${path}:\n${response.content}`);
  } catch (error) {
    await turn.send({ sessionUpdate: 'tool_call_update', toolCallId, status: 'failed' });
    return answer(turn, `read ${path} failed: ${describeClientError(error)}`);
  }
}

async function writeFile(turn: Turn, raw: boolean): Promise<PromptResponse> {
  // The content is everything after the path and one separating whitespace character, spacing kept.
  const match = /^(\S+)(?:\s([\s\S]*))?$/.exec(turn.prompt.argText);
  if (!match) return answer(turn, `usage: /${raw ? 'write-raw' : 'write'} PATH CONTENT...`);
  if (turn.clientCapabilities.fs?.writeTextFile !== true) {
    return answer(turn, 'write: the client does not support fs/write_text_file');
  }
  const path = raw ? match[1]! : absolutePath(turn, match[1]!);
  const content = match[2] ?? '';
  const toolCallId = newToolCallId();
  await turn.send({
    sessionUpdate: 'tool_call',
    toolCallId,
    title: `Write ${path}`,
    kind: 'edit',
    status: 'in_progress',
    locations: [{ path }],
    content: [{ type: 'diff', path, oldText: null, newText: content }],
    rawInput: { path, content },
  });
  try {
    await turn.client.request('fs/write_text_file', { sessionId: turn.sessionId, path, content });
    await turn.send({ sessionUpdate: 'tool_call_update', toolCallId, status: 'completed' });
    return answer(turn, `wrote ${content.length} chars to ${path}`);
  } catch (error) {
    await turn.send({ sessionUpdate: 'tool_call_update', toolCallId, status: 'failed' });
    return answer(turn, `write ${path} failed: ${describeClientError(error)}`);
  }
}

export const read = (turn: Turn): Promise<PromptResponse> => readFile(turn, false);
export const readRaw = (turn: Turn): Promise<PromptResponse> => readFile(turn, true);
export const write = (turn: Turn): Promise<PromptResponse> => writeFile(turn, false);
export const writeRaw = (turn: Turn): Promise<PromptResponse> => writeFile(turn, true);
