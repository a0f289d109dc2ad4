// Plain answers: echo (the default), /think, /history, /model, /mode, /fail, /junk.
import { RequestError } from '@agentclientprotocol/sdk/unstable';
import type { PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';

const FIRST_PIECE_CHARS = 5;
const PIECE_CHARS = 32;

/**
 * Sends `text` as agent_message_chunks: the first 5 characters, then 32-character pieces, so any answer of
 * two or more characters arrives in at least two chunks. Splits on code points (never inside a surrogate pair).
 */
export async function sayInPieces(turn: Turn, text: string): Promise<void> {
  const chars = Array.from(text);
  if (chars.length <= 1) {
    await turn.say(text);
    return;
  }
  void turn.say(chars.slice(0, FIRST_PIECE_CHARS).join(''));
  for (let i = FIRST_PIECE_CHARS; i < chars.length; i += PIECE_CHARS) {
    void turn.say(chars.slice(i, i + PIECE_CHARS).join(''));
  }
  await turn.flush();
}

/** `echo: <prompt text>` plus a note per resource/resource_link/image block. */
export function echoText(turn: Turn): string {
  const { text, attachments } = turn.prompt;
  const parts = text.length > 0 ? [text, ...attachments] : attachments;
  return `echo: ${parts.join(' ')}`;
}

export async function echo(turn: Turn): Promise<PromptResponse> {
  await sayInPieces(turn, echoText(turn));
  return turn.finish();
}

/** A non-JSON stdout line, then a normal echo: the client must survive it (the SDK answers it with -32700). */
export async function junk(turn: Turn): Promise<PromptResponse> {
  await turn.rawLine('this is not json');
  return echo(turn);
}

export async function think(turn: Turn): Promise<PromptResponse> {
  await turn.think(`thinking about: ${turn.prompt.argText.trim() || 'nothing in particular'}`);
  await sayInPieces(turn, 'think: done');
  return turn.finish();
}

/** The prompts of this ACP session so far (this one included), one per line, numbered from 1. */
export async function history(turn: Turn): Promise<PromptResponse> {
  const lines = turn.history.map((t, i) => `${i + 1}. ${t.promptText.replace(/\r?\n/g, '\\n')}`);
  await sayInPieces(turn, lines.join('\n'));
  return turn.finish();
}

export async function model(turn: Turn): Promise<PromptResponse> {
  await sayInPieces(turn, `model: ${turn.modelId}`);
  return turn.finish();
}

export async function mode(turn: Turn): Promise<PromptResponse> {
  await sayInPieces(turn, `mode: ${turn.modeId}`);
  return turn.finish();
}

export async function fail(): Promise<PromptResponse> {
  throw new RequestError(-32603, 'demo failure');
}
