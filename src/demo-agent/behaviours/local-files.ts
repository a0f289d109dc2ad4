// `/local-read PATH`: the agent reads a file itself, in its own process, without asking the client. It shows what
// the agent process can reach on its own (in a sandbox: only what the sandbox binds), where /read shows what the
// client's fs/read_text_file allows.
import { readFile } from 'node:fs/promises';
import type { PromptResponse } from '@agentclientprotocol/sdk/unstable';
import type { Turn } from '../turn.js';
import { sayInPieces } from './basic.js';
import { absolutePath } from './tool-calls.js';

export async function localRead(turn: Turn): Promise<PromptResponse> {
  const [pathArg] = turn.prompt.args;
  if (pathArg === undefined) {
    await sayInPieces(turn, 'usage: /local-read PATH');
    return turn.finish();
  }
  const path = absolutePath(turn, pathArg);
  let text: string;
  try {
    text = `local-read ${path}:\n${(await readFile(path, 'utf8')).slice(0, 2000)}`;
  } catch (e) {
    text = `local-read ${path} failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
  await sayInPieces(turn, text);
  return turn.finish();
}
