// `/review [hold=PATH] [write=PATH] [run=CMD]` followed by a review prompt: reviews the files listed under a
// "Changed files:" line (one "- path" per line), reading each through the client's fs/read_text_file, and answers
// with what it read. `hold=PATH` keeps the turn running until PATH exists (a review in progress, for restart tests;
// honours session/cancel); `write=PATH` and `run=CMD` try a write and a terminal first and report whether the
// gateway let them through (a reviewing session is read-only).
import { existsSync } from 'node:fs';
import type { PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';
import { absolutePath, describeClientError } from './tool-calls.js';

const HOLD_TICK_MS = 100;

function option(turn: Turn, name: string): string | undefined {
  const firstLine = turn.prompt.argText.split('\n')[0] ?? '';
  const m = new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(firstLine);
  return m?.[1];
}

/** The "- path" lines after "Changed files:", up to the first line that is not one. */
function listedFiles(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim().toLowerCase() === 'changed files:');
  if (start < 0) return [];
  const files: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^- (.+)$/.exec(line.trim());
    if (!m) break;
    files.push(m[1]!);
  }
  return files;
}

export async function review(turn: Turn): Promise<PromptResponse> {
  const lines: string[] = [];
  const hold = option(turn, 'hold');
  if (hold !== undefined) {
    await turn.say('review: holding\n');
    while (!existsSync(hold) && !turn.cancelled) await turn.sleep(HOLD_TICK_MS);
    if (turn.cancelled) return turn.finish();
  }
  const write = option(turn, 'write');
  if (write !== undefined) {
    try {
      await turn.client.request('fs/write_text_file', { sessionId: turn.sessionId, path: absolutePath(turn, write), content: 'review was here\n' });
      lines.push(`write ${write}: written`);
    } catch (e) {
      lines.push(`write ${write}: refused (${describeClientError(e)})`);
    }
  }
  const run = option(turn, 'run');
  if (run !== undefined) {
    try {
      const terminal = await turn.client.createTerminal({ sessionId: turn.sessionId, command: run, args: [], cwd: turn.cwd });
      const exit = await terminal.waitForExit();
      await terminal.release();
      lines.push(`run ${run}: ran (exit ${exit.exitCode ?? 'null'})`);
    } catch (e) {
      lines.push(`run ${run}: refused (${describeClientError(e)})`);
    }
  }
  const files = listedFiles(turn.prompt.text);
  lines.push(`review: ${files.length} changed file${files.length === 1 ? '' : 's'}`);
  for (const f of files) {
    try {
      const r = await turn.client.request('fs/read_text_file', { sessionId: turn.sessionId, path: absolutePath(turn, f) });
      lines.push(`- ${f}: ${r.content.split('\n').filter((l) => l !== '').length} lines read`);
    } catch (e) {
      lines.push(`- ${f}: unreadable (${describeClientError(e)})`);
    }
  }
  lines.push('verdict: looks fine');
  await sayInPieces(turn, lines.join('\n'));
  return turn.finish();
}
